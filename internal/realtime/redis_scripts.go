package realtime

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Every script gets the same five keys of one channel, in this order, so that
// any write can refresh the idle TTL of them all. The keys share a hash tag,
// which keeps the scripts valid on Redis Cluster.
const (
	keyMeta     = 1 // hash: seq (the counter), ms (last stream id time)
	keyLog      = 2 // stream: the replay window
	keyState    = 3 // hash: v (version), d (JSON), t (updated, unix ms)
	keyPresence = 4 // sorted set: conn key scored by expiry (unix ms)
	keyPresInfo = 5 // hash: conn key -> Presence JSON
)

// deletedPayload is published on a channel's pub/sub topic by DeleteChannel;
// real payloads are JSON objects, so it cannot collide with one.
const deletedPayload = "!deleted"

// luaSeqSpan is SeqEpochSpan for the scripts. Redis runs Lua 5.1, whose
// numbers are doubles: exact for every seq, which stays below 2^53.
var luaSeqSpan = fmt.Sprintf("\nlocal span = %d\n", SeqEpochSpan)

const luaTouch = `
local function touch(ttl)
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
`

// publishScript assigns the seq and appends to the stream in one atomic step,
// which is what makes every instance agree on the order. The seq follows
// nextSeq: a channel without a counter (new, or lost by a Redis restarted
// without its data) starts an epoch at the publisher's clock, above the floor
// the publisher knows. The stream id is <ms>-<seq>: ms comes from the
// publisher's clock so MINID trims by message age, and is kept from going
// backwards so ids always rise even when instances' clocks disagree. The seq
// is spliced into the JSON payload.
// ARGV: topic, payload without seq, now ms, max len, min id ms, ttl ms, floor.
var publishScript = redis.NewScript(luaTouch + luaSeqSpan + `
local last = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local seq
if last > 0 and last % span ~= span - 1 then
  seq = last + 1
else
  local epoch = math.floor(tonumber(ARGV[3]) / 1000)
  local above = math.floor(math.max(last, tonumber(ARGV[7])) / span) + 1
  if epoch < above then epoch = above end
  seq = epoch * span + 1
end
local ms = tonumber(ARGV[3])
local lastms = tonumber(redis.call('HGET', KEYS[1], 'ms') or '0')
if ms < lastms then ms = lastms end
redis.call('HSET', KEYS[1], 'seq', string.format('%d', seq), 'ms', string.format('%d', ms))
local payload = '{"seq":' .. string.format('%d', seq) .. ',' .. string.sub(ARGV[2], 2)
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], string.format('%d-%d', ms, seq), 'm', payload)
redis.call('XTRIM', KEYS[2], 'MINID', '~', ARGV[5])
touch(ARGV[6])
redis.call('PUBLISH', ARGV[1], payload)
return seq
`)

// replayScript reads the last seq and the newest entries in one atomic step,
// so the two agree. after is first turned into a seq of the last one's epoch
// as replayStart does (0: the epoch's start). It returns {last, from, 0} when
// the window cannot hold what is wanted (an earlier epoch, beyond last, or
// more than the window), else {last, from, 1, entries newest first}.
// ARGV: after, window size.
var replayScript = redis.NewScript(luaSeqSpan + `
local last = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local base = last - last % span
local after = tonumber(ARGV[1])
if after <= 0 then after = base end
if after > last or after < base then return {last, after, 0} end
if after == last then return {last, after, 1, {}} end
local n = last - after
if n > tonumber(ARGV[2]) then return {last, after, 0} end
return {last, after, 1, redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', n)}
`)

// casStateScript writes the new state only if the version is still the base
// the patch was computed from. Returns {1|0, version, data, updated ms}.
// ARGV: base version, new data, now ms, ttl ms.
var casStateScript = redis.NewScript(luaTouch + `
local v = tonumber(redis.call('HGET', KEYS[3], 'v') or '0')
if v ~= tonumber(ARGV[1]) then
  return {0, v, redis.call('HGET', KEYS[3], 'd') or '{}', redis.call('HGET', KEYS[3], 't') or '0'}
end
redis.call('HSET', KEYS[3], 'v', v + 1, 'd', ARGV[2], 't', ARGV[3])
touch(ARGV[4])
return {1, v + 1, ARGV[2], ARGV[3]}
`)

// joinScript records a presence entry; ARGV: member, expiry ms, JSON, ttl ms.
var joinScript = redis.NewScript(luaTouch + `
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
touch(ARGV[4])
return 1
`)

// leaveScript removes a presence entry; ARGV: member.
var leaveScript = redis.NewScript(`
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
return 1
`)

// presentScript drops expired entries and returns the JSON of the live ones.
// ARGV: now ms.
var presentScript = redis.NewScript(`
local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', ARGV[1])
if #dead > 0 then
  redis.call('ZREM', KEYS[4], unpack(dead))
  redis.call('HDEL', KEYS[5], unpack(dead))
end
local live = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. ARGV[1], '+inf')
if #live == 0 then return {} end
return redis.call('HMGET', KEYS[5], unpack(live))
`)

// deleteScript removes the channel and tells every instance's subscribers.
// ARGV: topic.
var deleteScript = redis.NewScript(`
redis.call('DEL', unpack(KEYS))
redis.call('PUBLISH', ARGV[1], '` + deletedPayload + `')
return 1
`)

// wireMessage is a Message as stored in the stream and sent over pub/sub: the
// audience travels with it. Seq is omitted when zero so that the publish script
// can splice the real one in front of the other fields.
type wireMessage struct {
	Seq      int64           `json:"seq,omitempty"`
	Type     string          `json:"type"`
	TS       time.Time       `json:"ts"`
	Data     json.RawMessage `json:"data"`
	Audience *Audience       `json:"aud,omitempty"`
}

func encodeWire(m Message) (string, error) {
	w := wireMessage{Type: m.Type, TS: m.TS, Data: m.Data}
	if !m.Audience.Everyone() {
		w.Audience = &m.Audience
	}
	b, err := json.Marshal(w)
	return string(b), err
}

func decodeWire(payload string) (Message, error) {
	var w wireMessage
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		return Message{}, fmt.Errorf("realtime: decode message: %w", err)
	}
	m := Message{Type: w.Type, Seq: w.Seq, TS: w.TS, Data: w.Data}
	if w.Audience != nil {
		m.Audience = *w.Audience
	}
	return m, nil
}

// parseEntries turns XREVRANGE output (newest first) into messages, oldest
// first.
func parseEntries(raw []any) ([]Message, error) {
	out := make([]Message, len(raw))
	for i, e := range raw {
		entry, ok := e.([]any)
		if !ok || len(entry) != 2 {
			return nil, fmt.Errorf("realtime: unexpected stream entry %T", e)
		}
		fields, ok := entry[1].([]any)
		if !ok || len(fields) != 2 {
			return nil, fmt.Errorf("realtime: unexpected stream fields %v", entry[1])
		}
		payload, _ := fields[1].(string)
		m, err := decodeWire(payload)
		if err != nil {
			return nil, err
		}
		out[len(raw)-1-i] = m
	}
	return out, nil
}

func toInt64(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		return v, nil
	case string:
		return strconv.ParseInt(v, 10, 64)
	}
	return 0, fmt.Errorf("realtime: unexpected reply %T", v)
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// parseState reads {flag, version, data, updated ms} from casStateScript.
func parseState(raw []any) (bool, State, error) {
	if len(raw) != 4 {
		return false, State{}, fmt.Errorf("realtime: unexpected state reply %v", raw)
	}
	ok, err1 := toInt64(raw[0])
	v, err2 := toInt64(raw[1])
	ms, err3 := toInt64(raw[3])
	data, _ := raw[2].(string)
	if err1 != nil || err2 != nil || err3 != nil || !strings.HasPrefix(data, "{") {
		return false, State{}, fmt.Errorf("realtime: unexpected state reply %v", raw)
	}
	return ok == 1, State{Version: v, Data: json.RawMessage(data), UpdatedAt: msTime(ms)}, nil
}
