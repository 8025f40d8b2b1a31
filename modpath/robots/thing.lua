local M = {} function M.add(a) return a + 1 end return M
