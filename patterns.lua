
return { name = 'sb', timestep = 0.01, time_limit = 0.02, build = function(world, ctx) end,
  step = function(ctx) if ctx.seed == 1 then
local s = string.rep('word ', 2000)
 assert(select(2, s:gsub('%w+', '')) == 2000)
 assert(('  trim me  '):match('^%s*(.-)%s*$') == 'trim me')
 assert(s:find('d w', 1, true) == 4)
 local n = 0 for k, v in ('a=1, b=2, c=3'):gmatch('(%w+)=(%w+)') do n = n + 1 end assert(n == 3)
 assert(string.rep('ab', 5000):find('[a-b]+$') == 1)
 assert(#table.move({1, 2, 3}, 1, 3, 2) == 4)
 error('patterns ok', 0)
  end end }
