-- Fusion decisions on small graphs (generator/fuse.lua).
local pipeline = require("pipeline")
local util = require("ops.util")

local function ops_of(nodes)
  local list = {}
  for i, node in ipairs(nodes) do list[i] = node.op end
  return list
end

describe("fusion", function()
  it("folds relu and a 2x2 max pool into a direct convolution, which then gives the pooled output", function()
    local nodes, loss = pipeline.run([[return network{ input = { 1, 28, 28 },
      conv2d{ 8, k = 3 }, relu{}, maxpool2d{ k = 2 }, flatten{}, linear{ 10 }, loss = softmax_cross_entropy{} }]])
    assert.are.same({ "conv2d", "flatten", "linear" }, ops_of(nodes))
    local conv = nodes[1]
    assert.are.equal("direct", conv.conv.strategy)
    assert.are.same({ "relu", "maxpool2x2" }, { conv.epilogue[1].op, conv.epilogue[2].op })
    assert.are.same({ 8, 13, 13 }, conv.out_shape)
    assert.are.equal(8 * 13 * 13, conv.index)
    assert.are.same({ rows = 26, cols = 26 }, conv.conv.pooled)
    assert.is_false(util.masks_dy(conv)) -- the pool's windows apply the relu's mask
    assert.are.equal(conv, nodes[2].inputs[1])
    assert.are.equal(nodes[3], loss.input)
  end)

  it("keeps the max pool after a convolution that cannot compute it, and moves the relu's mask into it", function()
    local nodes = pipeline.run([[return network{ input = { 64, 8, 8 },
      conv2d{ 64, k = 3, pad = 1 }, relu{}, maxpool2d{ k = 2 }, flatten{}, linear{ 2 }, loss = mse{} }]])
    assert.are.same({ "conv2d", "maxpool2d", "flatten", "linear" }, ops_of(nodes))
    assert.are.equal("winograd-4x4", nodes[1].conv.strategy)
    assert.is_true(util.fused_relu(nodes[1]))
    assert.is_nil(util.pools(nodes[1]))
    assert.is_false(util.masks_dy(nodes[1]))
    assert.is_true(nodes[2].masks_relu_before)
  end)

  it("does not fold a relu into a layer whose output something else reads", function()
    local nodes = pipeline.run([[return network{ input = { 4, 6, 6 },
      residual{ conv2d{ 4, k = 3, pad = 1 }, relu{}, conv2d{ 4, k = 1 } }, relu{}, flatten{}, linear{ 2 },
      loss = mse{} }]])
    -- the body's relu folds into its convolution; the one after the sum folds into the add,
    -- whose input (the block's input) is read twice and so keeps its own output
    assert.are.same({ "conv2d", "conv2d", "add", "flatten", "linear" }, ops_of(nodes))
    assert.is_true(util.fused_relu(nodes[1]))
    assert.is_false(util.fused_relu(nodes[2]))
    assert.is_true(util.fused_relu(nodes[3]))
    assert.is_true(util.masks_dy(nodes[3]))
  end)

  it("folds nothing into the network's input", function()
    local nodes = pipeline.run([[return network{ input = { 4 }, relu{}, linear{ 2 }, loss = mse{} }]])
    assert.are.same({ "relu", "linear" }, ops_of(nodes))
  end)
end)
