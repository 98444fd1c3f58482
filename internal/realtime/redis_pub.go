package realtime

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Publishes go through a few publisher goroutines per broker, each sending
// whatever has queued up meanwhile as one pipeline of publish scripts: under
// load, one round trip (and one wake-up from the network) carries many
// messages instead of one each, and publishers never wait for a pooled
// connection. A lone message goes out at once, so this adds no delay. The seq
// is still assigned by the script in Redis, one message at a time.
const (
	publishPipelines = 2   // pipelines in flight at once, per broker
	publishBatchMax  = 256 // publish scripts per pipeline at most
	publishTimeout   = 10 * time.Second
)

// pubReq is one Publish waiting for its pipeline; done receives its result.
type pubReq struct {
	keys []string
	args []any
	done chan pubResult
}

type pubResult struct {
	seq int64
	err error
}

// publish queues the script call and waits for its seq. ctx bounds the wait,
// as it would a direct call: a message already sent may still be published.
func (b *RedisBroker) publish(ctx context.Context, keys []string, args ...any) (int64, error) {
	r := &pubReq{keys: keys, args: args, done: make(chan pubResult, 1)}
	select {
	case b.pubq <- r:
	case <-b.pubStop:
		return 0, ErrClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	select {
	case res := <-r.done:
		return res.seq, res.err
	case <-b.pubDone:
		// The publishers answer every request they took before ending.
		select {
		case res := <-r.done:
			return res.seq, res.err
		default:
			return 0, ErrClosed
		}
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// publisher sends queued publishes in pipelines until the broker closes, then
// answers what is left with ErrClosed.
func (b *RedisBroker) publisher() {
	batch := make([]*pubReq, 0, publishBatchMax)
	for {
		select {
		case r := <-b.pubq:
			batch = append(batch[:0], r)
		case <-b.pubStop:
			for {
				select {
				case r := <-b.pubq:
					r.done <- pubResult{err: ErrClosed}
				default:
					return
				}
			}
		}
	fill:
		for len(batch) < publishBatchMax {
			select {
			case r := <-b.pubq:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.sendBatch(batch)
		clear(batch) // let the answered requests go
	}
}

// sendBatch runs the batch's scripts in one pipeline. A Redis that lost its
// script cache answers NOSCRIPT without running it; those are sent again with
// the script's source, as Script.Run does.
func (b *RedisBroker) sendBatch(batch []*pubReq) {
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	cmds := b.runBatch(ctx, batch, false)
	var retry []*pubReq
	var retryAt []int
	for i, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			retry = append(retry, batch[i])
			retryAt = append(retryAt, i)
		}
	}
	if len(retry) > 0 {
		for j, c := range b.runBatch(ctx, retry, true) {
			cmds[retryAt[j]] = c
		}
	}
	for i, r := range batch {
		seq, err := cmds[i].Int64()
		r.done <- pubResult{seq: seq, err: err}
	}
}

func (b *RedisBroker) runBatch(ctx context.Context, batch []*pubReq, withSource bool) []*redis.Cmd {
	pipe := b.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(batch))
	for i, r := range batch {
		if withSource {
			cmds[i] = publishScript.Eval(ctx, pipe, r.keys, r.args...)
		} else {
			cmds[i] = publishScript.EvalSha(ctx, pipe, r.keys, r.args...)
		}
	}
	// Exec's error is also each failed command's; they are read one by one.
	_, _ = pipe.Exec(ctx)
	return cmds
}
