require '/etc/passwd'
return {}
