-- Winograd layers wide enough that their image transforms run in several
-- chunks, the last one partial. The gradient check runs batch 2: the first
-- layer has 2 planes of 3 tile rows of 60 tiles, so chunks of 4 tile rows
-- (4 + 2), and of one whole plane for the input gradient; the second, 4
-- planes. The chunking is the same code for both tile sizes. The third, with
-- 4x4 tiles, has rows of 30 tiles: three passes of the 8-tile row pass and
-- 6 tiles one at a time.
return network{ input = { 1, 6, 120 }, batch = 3,
  conv2d{ 2, k = 3, pad = 1, strategy = "winograd-2x2" },
  conv2d{ 2, k = 3, pad = 1, strategy = "winograd-2x2" },
  conv2d{ 1, k = 3, pad = 1, strategy = "winograd-4x4" },
  flatten{}, loss = mse{} }
