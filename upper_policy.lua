return { act = function(obs, action)
  assert(('ab'):upper() == 'AB' and string.lower('X') == 'x', 'string library poisoned')
  action.force[1] = 0 end }
