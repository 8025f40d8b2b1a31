require '..secret'
return {}
