/// @file pilotsim.h
/// Umbrella header of libpilotsim, the core simulation library.
#ifndef PILOTSIM_PILOTSIM_H
#define PILOTSIM_PILOTSIM_H

#include "pilotsim/export.h"

#include "pilotsim/types.h"
#include "pilotsim/log.h"
#include "pilotsim/rng.h"
#include "pilotsim/world.h"
#include "pilotsim/body.h"
#include "pilotsim/geom.h"
#include "pilotsim/joint.h"
#include "pilotsim/material.h"
#include "pilotsim/scene.h"
#include "pilotsim/episode.h"
#include "pilotsim/snapshot.h"
#include "pilotsim/mesh.h"
#include "pilotsim/urdf.h"
#include "pilotsim/robot.h"
#include "pilotsim/dynamics.h"
#include "pilotsim/sensor.h"
#include "pilotsim/policy.h"
#include "pilotsim/state.h"

#endif
