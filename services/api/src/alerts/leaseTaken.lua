-- One API process evaluates the alert rules: the holder of this lease. Renews the lease when
-- this process holds it, takes it when nobody does.
-- KEYS: lease. ARGV: this process's id, lease time (ms).
-- Returns 1 when this process holds the lease now, 0 when another one does.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
