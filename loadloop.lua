local t = {}
while true do t[1] = 1 end
return {}
