require 'nope'
return {}
