-- What a spec may spend while it runs: instructions, memory and CPU time.
-- A count hook sees the spec's own instructions; library functions run in C,
-- where no hook fires, so the sandbox's wrappers (sandbox.lua) call
-- budget.check before each call, with the bytes the call will allocate.
-- Pure Lua cannot set an allocator, so memory is the heap's growth as
-- collectgarbage("count") sees it, every EVERY instructions. One instruction
-- can still join many long strings (s .. s .. s ...): the heap can pass the
-- limit by that much before the next check, or malloc fails first, which
-- dsl.lua reports as the same limit.
local errors = require("errors")

local budget = {}

budget.MAX_INSTRUCTIONS = 10000000 -- a spec is a description (ResNet-50's runs 10,000), not a computation
budget.MAX_MEMORY = 128 << 20 -- bytes the spec may add to the heap (a million nested calls take 80 MiB)
budget.MAX_SECONDS = 2 -- of CPU time: a few instructions can copy much (long strings, unpacked tables)

local EVERY = 10 -- instructions between two memory checks of the hook
local CLOCK_EVERY = 100 -- instructions between two looks at the clock, a system call

local run -- the spec running: { file, instructions, heap (KiB at the start), clock, hook (the caller's) }

-- Fails with one line. The hook goes first: it would fire again, and fail
-- again, in the code the error unwinds through. The limits' messages name no
-- line: the line that crosses a limit is seldom the one that spent the most,
-- and Lua's own memory error names none.
local function fail(fmt, ...)
  debug.sethook()
  errors.fail(fmt, ...)
end

local function memory_fail(file)
  fail("%s: the spec needs more than %d MiB of memory", file, budget.MAX_MEMORY >> 20)
end

local function check_clock()
  if os.clock() - run.clock > budget.MAX_SECONDS then
    fail("%s: the spec runs too long (more than %d s of CPU time)", run.file, budget.MAX_SECONDS)
  end
end

local function check_memory(bytes)
  local limit = budget.MAX_MEMORY - bytes
  if (collectgarbage("count") - run.heap) * 1024 > limit then
    collectgarbage("collect") -- the count includes garbage
    if (collectgarbage("count") - run.heap) * 1024 > limit then memory_fail(run.file) end
  end
end

-- Fails unless the spec has time left and its heap can grow by `bytes` (default 0).
function budget.check(bytes)
  if not run then return end
  check_clock()
  check_memory(bytes or 0)
end

function budget.start(file)
  run = { file = file, instructions = 0, heap = collectgarbage("count"), clock = os.clock(), hook = { debug.gethook() } }
  debug.sethook(function()
    run.instructions = run.instructions + EVERY
    if run.instructions > budget.MAX_INSTRUCTIONS then
      fail("%s: the spec runs too long (more than %d instructions)", run.file, budget.MAX_INSTRUCTIONS)
    end
    if run.instructions % CLOCK_EVERY == 0 then check_clock() end
    check_memory(0)
  end, "", EVERY)
end

-- Ends the budget and gives back the hook the caller had (a coverage tool's, say).
function budget.stop()
  if run.hook[1] then debug.sethook(run.hook[1], run.hook[2], run.hook[3]) else debug.sethook() end
  run = nil
end

-- The error of a spec that ran out of memory where no check saw it coming.
function budget.out_of_memory(file)
  memory_fail(file)
end

return budget
