-- The plan pass on small graphs (generator/plan.lua): strategies, the direct
-- kernels' tilings and cost model, memory layout and gradient writes.
local pipeline = require("pipeline")
local direct = require("ops.conv_direct")
local util = require("ops.util")

local function conv_net(input, conv)
  return string.format("return network{ input = { %s }, %s, flatten{}, linear{ 2 }, loss = mse{} }", input, conv)
end

local function strategy(input, conv)
  return pipeline.run(conv_net(input, conv))[1].conv.strategy
end

describe("strategy", function()
  it("takes GEMM on the input itself for a 1x1 convolution", function()
    assert.are.equal("gemm-1x1", strategy("16, 8, 8", "conv2d{ 8, k = 1 }"))
  end)
  it("takes the direct kernels for a stem's few input channels", function()
    assert.are.equal("direct", strategy("3, 32, 32", "conv2d{ 16, k = 3, pad = 1 }"))
  end)
  it("takes Winograd 4x4 from 64 input channels on 8x8 outputs, 2x2 below", function()
    assert.are.equal("winograd-4x4", strategy("64, 8, 8", "conv2d{ 64, k = 3, pad = 1 }"))
    assert.are.equal("winograd-2x2", strategy("64, 4, 4", "conv2d{ 64, k = 3, pad = 1 }"))
  end)
  it("falls back to im2col-gemm for a strided 3x3", function()
    assert.are.equal("im2col-gemm", strategy("3, 32, 32", "conv2d{ 16, k = 3, stride = 2 }"))
  end)
  it("keeps a strategy the spec forces", function()
    assert.are.equal("im2col-gemm", strategy("3, 32, 32", "conv2d{ 16, k = 3, strategy = \"im2col-gemm\" }"))
  end)
  it("takes the depthwise loops for one group per input channel, im2col-gemm for other groups", function()
    assert.are.equal("depthwise", strategy("32, 16, 16", "conv2d{ 32, k = 3, pad = 1, groups = 32 }"))
    assert.are.equal("depthwise", strategy("32, 16, 16", "conv2d{ 64, k = 3, pad = 1, groups = 32 }"))
    assert.are.equal("im2col-gemm", strategy("64, 8, 8", "conv2d{ 64, k = 3, pad = 1, groups = 2 }"))
    assert.are.equal("im2col-gemm", strategy("16, 8, 8", "conv2d{ 8, k = 1, groups = 2 }"))
  end)
  it("takes im2col-gemm for a dilated or unevenly padded layer the others would take", function()
    assert.are.equal("im2col-gemm", strategy("64, 8, 8", "conv2d{ 64, k = 3, pad = 2, dilation = 2 }"))
    assert.are.equal("im2col-gemm", strategy("3, 32, 32", "conv2d{ 16, k = 3, pad = { 1, 1, 0, 0 } }"))
  end)
  it("ignores a dilation along an axis of kernel 1", function()
    assert.are.equal("gemm-1x1", strategy("16, 8, 8", "conv2d{ 8, k = 1, dilation = 2 }"))
  end)
  it("gives a grouped layer the column buffer of all its groups, which one im2col fills", function()
    local node = pipeline.run(conv_net("8, 10, 10", "conv2d{ 8, k = 3, groups = 4 }"))[1]
    assert.are.equal(4 * 2 * 3 * 3 * 8 * 8, node.work)
  end)
  it("gives the workspace the strategy needs: im2col's column buffer per image", function()
    local node = pipeline.run(conv_net("3, 32, 32", "conv2d{ 16, k = 3, stride = 2 }"))[1]
    assert.are.equal(3 * 3 * 3 * 15 * 15, node.work)
  end)
end)

-- Every tiling of a direct convolution, forward and input gradient, for each vector width.
local function each_tiling(c, visit)
  local gm = direct.geometry(c)
  for k, vw in ipairs(direct.WIDTHS) do
    visit(gm.fwd[k], vw, "forward")
    visit(gm.bwd[k], vw, "input gradient")
  end
end

local function direct_conv(input, conv)
  local node = pipeline.run(conv_net(input, conv))[1]
  assert.are.equal("direct", node.conv.strategy)
  return node.conv
end

describe("direct tiling", function()
  local cases = {
    { "1, 28, 28", "conv2d{ 32, k = 3 }" },
    { "3, 128, 128", "conv2d{ 16, k = 3, pad = 1 }" },
    { "32, 26, 28", "conv2d{ 32, k = { 1, 3 } }" },
    { "8, 1, 4000", "conv2d{ 8, k = { 1, 9 }, pad = { 0, 4 } }" },
  }
  for _, case in ipairs(cases) do
    it("fits the registers, the band buffer, and covers the plane: " .. case[2] .. " on " .. case[1], function()
      each_tiling(direct_conv(case[1], case[2]), function(t, vw, kernel)
        assert.is_true(t.tco * t.tv <= vw.accumulators, kernel .. ": accumulators")
        assert.is_true(t.band_rows * t.width <= t.tiles * t.tv * vw.lanes, kernel .. ": tiles cover the band")
        assert.is_true(t.bands * t.band_rows >= t.rows, kernel .. ": bands cover the rows")
        assert.is_true(t.tco * t.band_wide <= direct.BAND_VALUES or t.band_rows == 1, kernel .. ": band fits L1")
      end)
    end)
  end

  it("chooses the vectors per tile that cost the fewest cycles", function()
    local c = direct_conv("1, 28, 28", "conv2d{ 32, k = 3 }")
    each_tiling(c, function(t)
      local cost = t.bands * t.tiles * math.max(t.tco * t.tv, t.tco + t.tv)
      -- one vector per tile: a load per multiply-add, at least as slow
      local one = t.bands * util.ceil_div(t.band_rows * t.width, t.lanes) * math.max(t.tco, t.tco + 1)
      assert.is_true(cost <= one)
    end)
  end)

  it("gives bands an even number of rows under a fused 2x2 max pool", function()
    local nodes = pipeline.run([[return network{ input = { 3, 130, 130 },
      conv2d{ 16, k = 3 }, relu{}, maxpool2d{ k = 2 }, flatten{}, linear{ 2 }, loss = mse{} }]])
    local gm = direct.geometry(nodes[1].conv)
    for k = 1, #direct.WIDTHS do
      local t = gm.fwd[k]
      assert.is_true(t.bands == 1 or t.band_rows % 2 == 0)
    end
  end)
end)

describe("memory layout", function()
  local nodes, loss, layout = pipeline.run([[return network{ input = { 3, 8, 8 },
    conv2d{ 4, k = 3, pad = 1 }, batchnorm{}, relu{}, dropout{ 0.5 }, flatten{}, linear{ 3 },
    loss = softmax_cross_entropy{} }]])

  it("gives the input slot 0 and every output its own 16-aligned slot, in order", function()
    local next_free = layout.input_size
    for _, node in ipairs(nodes) do
      assert.are.equal(0, node.out_off % 16)
      assert.is_true(node.out_off >= next_free)
      next_free = node.out_off + util.numel(node.out_shape) * 32
    end
    assert.is_true(layout.acts >= next_free)
  end)

  it("keeps what backward needs after the activations", function()
    local bn, drop = nodes[2], nodes[3]
    assert.are.equal("batchnorm", bn.op)
    assert.are.equal("dropout", drop.op)
    local last = nodes[#nodes]
    assert.is_true(bn.saved_off >= last.out_off + util.numel(last.out_shape) * 32)
    assert.is_true(drop.saved_off >= bn.saved_off + bn.saved)
  end)

  it("lays the parameters out one after another, in the tensor table's order", function()
    local offset = 0
    for i, p in ipairs(layout.tensors) do
      assert.are.equal(i - 1, p.index)
      assert.are.equal(offset, p.offset)
      offset = (p.offset + p.size + 15) // 16 * 16
    end
    assert.are.equal(offset, layout.params)
  end)

  it("points the loss at the last layer's output", function()
    assert.are.equal(nodes[#nodes].out_off, loss.in_off)
    assert.are.equal(loss.in_off, layout.output_off)
  end)
end)

describe("gradient writes", function()
  it("lets the first backward to reach a tensor assign its gradient and the later ones add", function()
    local nodes = pipeline.run([[return network{ input = { 4 },
      linear{ 4 }, residual{ linear{ 4 } }, linear{ 2 }, loss = mse{} }]])
    local first, body, sum = nodes[1], nodes[2], nodes[3]
    assert.are.equal("add", sum.op)
    -- backward runs the add first: it assigns both its inputs' gradients
    assert.is_true(sum.dx_assign[1])
    assert.is_true(sum.dx_assign[2])
    -- the body then adds to the gradient of the tensor the shortcut also read
    assert.are.equal(first, body.inputs[1])
    assert.is_false(body.dx_assign[1])
  end)
end)

describe("tile search", function()
  local tiles = require("ops.conv_tiles")

  it("costs a step by the larger of its multiply-adds and loads", function()
    assert.are.equal(12, tiles.step(12, 7))
    assert.are.equal(7, tiles.step(1, 7))
  end)

  it("picks the cheapest candidate, and among equals the preferred one", function()
    local candidates = { { id = "a", cost = 3, size = 1 }, { id = "b", cost = 2, size = 1 }, { id = "c", cost = 2, size = 4 } }
    local best, cost = tiles.best(candidates, function(c) return c.cost end, function(c) return c.size end)
    assert.are.equal("c", best.id)
    assert.are.equal(2, cost)
  end)

  it("takes the largest size that fits, or the fallback", function()
    assert.are.equal(4, tiles.largest({ 8, 4, 2, 1 }, function(t) return 12 % t == 0 and t * 3 <= 12 end, 1))
    assert.are.equal(1, tiles.largest({ 8, 4 }, function() return false end, 1))
  end)
end)
