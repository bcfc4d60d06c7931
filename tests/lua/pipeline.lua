-- The generator's passes up to the plan, on a spec given as text, for the
-- planner's tests: returns the nodes as the emitters see them, the loss and
-- the layout (plan.lua); and every pass main.lua runs, to the C files.
local describe = require("emit.describe")
local dsl = require("dsl")
local emit = require("emit.model")
local graph = require("graph")
local fuse = require("fuse")
local lr_rules = require("lr_rules")
local plan = require("plan")
local summary = require("summary")

local pipeline = {}

function pipeline.graph(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  local ok, net = pcall(dsl.load, path)
  os.remove(path)
  if not ok then error(net, 0) end
  net.line = net.line or 0
  local settings = graph.settings(net, "test.lua", "test")
  local nodes, last = graph.build(net, "test.lua", settings)
  local loss = graph.loss(last, nodes, settings, "test.lua", net)
  return nodes, loss, settings
end

function pipeline.run(text)
  local nodes, loss, settings = pipeline.graph(text)
  nodes = fuse.run(nodes, loss)
  return nodes, loss, plan.run(nodes, loss, settings)
end

-- The C files of the spec, as the generator writes them (with its summary and layer list).
function pipeline.generate(text)
  local nodes, loss, settings = pipeline.graph(text)
  lr_rules.check(settings.lr_rules, nodes, "test.lua", 0)
  local lines = summary.lines(nodes, loss, settings)
  describe.json(nodes, loss, settings)
  nodes = fuse.run(nodes, loss)
  local layout = plan.run(nodes, loss, settings)
  return emit.generate({ nodes = nodes, loss = loss, settings = settings, layout = layout, summary_lines = lines,
    spec_path = "test.lua", dtype = "float" })
end

-- The node at `path`, or nil.
function pipeline.find(nodes, path)
  for _, node in ipairs(nodes) do
    if node.path == path then return node end
  end
end

return pipeline
