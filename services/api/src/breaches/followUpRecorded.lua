-- A manager recorded (part of) a breach's follow-up: the changed fields, the new version and
-- the audit entry land together or not at all.
-- KEYS: follow-up hash, audit list.
-- ARGV: JSON object field -> new string value, who, when (ms), keep for (s), expected version ('' = any).
-- Returns {status, version}: status is ok, unchanged or conflict.
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= version then
  return {'conflict', tostring(version)}
end
local patch = cjson.decode(ARGV[1])
local changes = {}
local changed = false
for field, value in pairs(patch) do
  local before = redis.call('HGET', KEYS[1], field)
  if before ~= value then
    if before == false then before = cjson.null end
    changes[field] = {from = before, to = value}
    changed = true
    redis.call('HSET', KEYS[1], field, value)
  end
end
if not changed then
  return {'unchanged', tostring(version)}
end
version = version + 1
redis.call('HSET', KEYS[1], 'version', version, 'updatedAt', ARGV[3], 'updatedBy', ARGV[2])
redis.call('RPUSH', KEYS[2], cjson.encode({at = tonumber(ARGV[3]), by = ARGV[2], version = version, changes = changes}))
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return {'ok', tostring(version)}
