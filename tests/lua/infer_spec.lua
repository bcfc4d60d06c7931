-- The inference export's lowering and scratch memory (generator/infer/).
local pipeline = require("pipeline")
local lower = require("infer.lower")
local memory = require("infer.memory")
local conv = require("infer.ops.conv")

-- Lowers a spec with every tensor filled by fill(name, i) (default 0.5).
local function lowered(text, fill)
  local nodes = pipeline.graph(text)
  local tensors = {}
  for _, node in ipairs(nodes) do
    for _, p in ipairs(node.params or {}) do
      local name, values, n = node.path .. "." .. p.suffix, {}, 1
      for _, d in ipairs(p.shape) do n = n * d end
      for i = 1, n do values[i] = fill and fill(name, i) or 0.5 end
      tensors[name] = { shape = p.shape, values = values }
    end
  end
  local input = (nodes[1].inputs or { nodes[1].input })[1]
  return lower.run(nodes, input, { ckpt = { tensors = tensors }, ckpt_path = "c", spec_path = "s" })
end

local function kinds(steps)
  local list = {}
  for i, s in ipairs(steps) do
    local names = { s.kind }
    for _, e in ipairs(s.epilogue) do names[#names + 1] = e.op end
    list[i] = table.concat(names, "+")
  end
  return list
end

describe("inference lowering", function()
  it("folds BN into the convolution before it and fuses the relu; BN after a concat stays an affine step", function()
    local steps = lowered([[return network{ input = { 1, 8, 8 },
      conv2d{ 4, k = 3, bias = false }, batchnorm{}, relu{}, dropout{ 0.5 },
      concat{ conv2d{ 2, k = 1 }, maxpool2d{ 3, stride = 1, pad = 1 } }, batchnorm{}, tanh{},
      flatten{}, linear{ 3 }, loss = softmax_cross_entropy{} }]])
    assert.are.same({ "conv+relu", "conv", "maxpool", "concat", "affine+tanh", "linear" }, kinds(steps))
  end)

  it("folds in double: w * gamma / sqrt(var + eps) and (b - mean) * that + beta", function()
    local values = { ["0.weight"] = 2, ["0.bias"] = 1, ["1.weight"] = 3, ["1.bias"] = 0.5, ["1.running_mean"] = 0.25,
      ["1.running_var"] = 4 }
    local steps = lowered([[return network{ input = { 1, 4, 4 }, conv2d{ 1, k = 1 }, batchnorm{ eps = 0.01 },
      flatten{}, linear{ 2 }, loss = softmax_cross_entropy{} }]], function(name) return values[name] or 1 end)
    local scale = 3 / math.sqrt(4.01)
    assert.are.equal(2 * scale, steps[1].w[1])
    assert.are.equal((1 - 0.25) * scale + 0.5, steps[1].b[1])
  end)

  it("leaves a convolution read twice unfused, and its relu a step of its own", function()
    local steps = lowered([[return network{ input = { 2, 6, 6 },
      residual{ conv2d{ 2, k = 3, pad = 1 }, relu{}, conv2d{ 2, k = 3, pad = 1 } },
      relu{}, flatten{}, linear{ 2 }, loss = softmax_cross_entropy{} }]])
    assert.are.same({ "conv+relu", "conv", "add+relu", "linear" }, kinds(steps))
    local steps2 = lowered([[return network{ input = { 2, 6, 6 }, conv2d{ 2, k = 1 },
      residual{ relu{}, conv2d{ 2, k = 1 } }, flatten{}, linear{ 2 }, loss = softmax_cross_entropy{} }]])
    assert.are.same({ "conv", "act", "conv", "add", "linear" }, kinds(steps2))
  end)
end)

describe("inference memory", function()
  local function overlap(a, b) return a.off < b.off + b.size and b.off < a.off + a.size end

  it("never places a step's output or temps over what the step reads, and reuses the arena", function()
    local steps, input, output = lowered([[return network{ input = { 3, 16, 16 },
      conv2d{ 8, k = 3, pad = 1, stride = 2 }, relu{},
      residual{ conv2d{ 8, k = 3, pad = 1 }, relu{}, conv2d{ 8, k = 3, pad = 1 }, after = relu{} },
      residual{ conv2d{ 8, k = 3, pad = 1 }, relu{}, conv2d{ 8, k = 3, pad = 1 }, after = relu{} },
      global_avgpool{}, linear{ 4 }, loss = softmax_cross_entropy{} }]])
    for _, s in ipairs(steps) do
      if s.kind == "conv" then conv.prepare(s) end
    end
    local total = memory.run(steps, input, output)
    local sum = input.size
    for _, s in ipairs(steps) do
      local written = { s.out }
      for _, t in ipairs(s.temps or {}) do written[#written + 1] = t end
      for i, w in ipairs(written) do
        sum = sum + w.size
        for _, v in ipairs(s.ins) do assert.is_false(overlap(w, v)) end
        for k = i + 1, #written do assert.is_false(overlap(w, written[k])) end
      end
    end
    assert.is_true(total < sum / 2)
  end)
end)
