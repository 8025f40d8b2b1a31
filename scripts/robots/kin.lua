--[[
robots.kin: small rigid-body helpers shared by the robot modules (pure functions,
no world access). Vectors are {x, y, z}, quaternions {w, x, y, z} (unit), poses
{p = vector, q = quaternion} (a frame's position and orientation in its parent).

    local kin = require "robots.kin"
    local q = kin.quat_axis_angle({0, 0, 1}, math.pi / 2)   -- 90 deg about +z
    local v = kin.rotate(q, {1, 0, 0})                      -- {0, 1, 0}
    local T = kin.pose_mul(A, B)                            -- A * B

Functions:
  quat_mul(a, b)             Hamilton product a*b (apply b, then a)
  quat_conj(q)               inverse of a unit quaternion
  quat_axis_angle(axis, a)   rotation by a (rad) about the unit axis
  quat_yaw(yaw)              rotation about +z
  rotate(q, v)               q applied to v
  pose(p, q)                 {p = p, q = q} (q defaults to identity)
  pose_mul(A, B)             composition: B's frame expressed in A's parent
  pose_apply(A, v)           point v of frame A in A's parent
  pose_inv(A)                inverse pose
  up_z(qw, qx, qy, qz)       world z of a body's +z axis (1 upright, 0 on its side)
  yaw_of(qw, qx, qy, qz)     heading of a body's +x axis about world z, rad
  wrap(a)                    angle wrapped into (-pi, pi]
  clamp(v, lo, hi)
  smoothstep(s)              minimum-jerk blend 10s^3 - 15s^4 + 6s^5 of s clamped to [0, 1]
--]]

local util = require "kit.util"

local M = {}

function M.quat_mul(a, b)
    return {
        a[1] * b[1] - a[2] * b[2] - a[3] * b[3] - a[4] * b[4],
        a[1] * b[2] + a[2] * b[1] + a[3] * b[4] - a[4] * b[3],
        a[1] * b[3] - a[2] * b[4] + a[3] * b[1] + a[4] * b[2],
        a[1] * b[4] + a[2] * b[3] - a[3] * b[2] + a[4] * b[1],
    }
end

function M.quat_conj(q)
    return {q[1], -q[2], -q[3], -q[4]}
end

function M.quat_axis_angle(axis, a)
    local s = math.sin(a / 2)
    return {math.cos(a / 2), axis[1] * s, axis[2] * s, axis[3] * s}
end

function M.quat_yaw(yaw)
    return {math.cos(yaw / 2), 0, 0, math.sin(yaw / 2)}
end

function M.rotate(q, v)
    local w, x, y, z = q[1], q[2], q[3], q[4]
    -- t = 2 (q.xyz x v); v' = v + w t + q.xyz x t
    local tx = 2 * (y * v[3] - z * v[2])
    local ty = 2 * (z * v[1] - x * v[3])
    local tz = 2 * (x * v[2] - y * v[1])
    return {
        v[1] + w * tx + (y * tz - z * ty),
        v[2] + w * ty + (z * tx - x * tz),
        v[3] + w * tz + (x * ty - y * tx),
    }
end

function M.pose(p, q)
    return {p = {p[1], p[2], p[3]}, q = q or {1, 0, 0, 0}}
end

function M.pose_mul(A, B)
    local r = M.rotate(A.q, B.p)
    return {p = {A.p[1] + r[1], A.p[2] + r[2], A.p[3] + r[3]}, q = M.quat_mul(A.q, B.q)}
end

function M.pose_apply(A, v)
    local r = M.rotate(A.q, v)
    return {A.p[1] + r[1], A.p[2] + r[2], A.p[3] + r[3]}
end

function M.pose_inv(A)
    local qi = M.quat_conj(A.q)
    local p = M.rotate(qi, A.p)
    return {p = {-p[1], -p[2], -p[3]}, q = qi}
end

function M.up_z(qw, qx, qy, qz)
    return 1 - 2 * (qx * qx + qy * qy)
end

function M.yaw_of(qw, qx, qy, qz)
    return math.atan(2 * (qw * qz + qx * qy), 1 - 2 * (qy * qy + qz * qz))
end

M.wrap = util.wrap
M.clamp = util.clamp

function M.smoothstep(s)
    if s <= 0 then return 0 elseif s >= 1 then return 1 end
    return s * s * s * (10 + s * (-15 + 6 * s))
end

return M
