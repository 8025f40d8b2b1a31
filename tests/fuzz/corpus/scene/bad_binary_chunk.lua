local f = load(string.char(27) .. 'LuaT', 'b', 'b')
return {}
