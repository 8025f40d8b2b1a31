return {
  name = 'x',
  timestep = = 0.01,
}
