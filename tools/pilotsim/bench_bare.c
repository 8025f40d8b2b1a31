// bare ODE benchmark worlds (in progress)
