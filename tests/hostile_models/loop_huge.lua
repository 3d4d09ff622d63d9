-- Nonsense: a loop trip count that wrapped when narrowed to int.
-- expect: a loop's trip count must be in [1, 1000000000]
ebm._loop_begin((1 << 32) + 1) --< error
