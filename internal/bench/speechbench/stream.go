package speechbench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/gmc-project/gmc/internal/realtime"
	"github.com/gmc-project/gmc/internal/speech/audio"
)

// Segment is one transcript.segment as the GM's client received it.
type Segment struct {
	StartMS int64  `json:"start_ms"`
	EndMS   int64  `json:"end_ms"`
	Label   string `json:"speaker_label"`
	Text    string `json:"text"`
	// ArrivalMS is when it arrived, in ms of wall time after the stream's
	// audio time 0; LatencyMS is ArrivalMS − EndMS/speed, the time from
	// the end of its speech (as a live microphone would have sent it) to
	// the client.
	ArrivalMS float64 `json:"arrival_ms"`
	LatencyMS float64 `json:"latency_ms"`
}

// frameMS is the audio in one binary message, as a browser's recorder
// hands it over.
const frameMS = 100

// streamed is what one file's stream gave.
type streamed struct {
	segments []Segment
	stt, dia string
	// sendLag is how far the last frame went out after its time: more
	// than a frame means the server held the client back (slow_down) and
	// the latencies no longer start from real time.
	sendLag  time.Duration
	slowDown int
}

// stream plays clip into a live session as its GM's room microphone and
// collects the session socket's transcript.segment messages until the
// audio socket says "done" and a short drain has passed.
func stream(ctx context.Context, addr string, t table, clip *audio.Clip, speed float64) (*streamed, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	auth := &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + t.token}}}
	live, _, err := websocket.Dial(ctx, "ws://"+addr+"/api/v1/sessions/"+t.session+"/ws", auth)
	if err != nil {
		return nil, fmt.Errorf("session socket: %w", err)
	}
	defer live.CloseNow()
	live.SetReadLimit(1 << 20)
	if err := startLive(ctx, live); err != nil {
		return nil, fmt.Errorf("session socket: %w", err)
	}
	mic, res, err := websocket.Dial(ctx, "ws://"+addr+"/api/v1/sessions/"+t.session+"/audio/ws", auth)
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("audio socket: %s: %w", res.Status, err)
		}
		return nil, fmt.Errorf("audio socket: %w", err)
	}
	defer mic.CloseNow()
	if err := writeJSON(ctx, mic, map[string]int{"sample_rate": clip.Rate, "channels": clip.Channels}); err != nil {
		return nil, fmt.Errorf("audio socket: header: %w", err)
	}
	var ready struct{ Type, STT, Diarization, Code, Detail string }
	if err := readJSON(ctx, mic, &ready); err != nil {
		return nil, fmt.Errorf("audio socket: %w", err)
	}
	if ready.Type != "ready" {
		return nil, fmt.Errorf("audio socket: first message %q (%s %s), want ready", ready.Type, ready.Code, ready.Detail)
	}
	out := &streamed{stt: ready.STT, dia: ready.Diarization}

	var (
		mu    sync.Mutex
		start time.Time // wall time of the stream's audio time 0
	)
	liveDone := make(chan error, 1)
	go func() {
		for {
			var f struct {
				Type string          `json:"type"`
				Data json.RawMessage `json:"data"`
			}
			if err := readJSON(ctx, live, &f); err != nil {
				liveDone <- err
				return
			}
			now := time.Now()
			if f.Type != realtime.TypeTranscriptSegment {
				continue
			}
			var s Segment
			if err := json.Unmarshal(f.Data, &s); err != nil {
				liveDone <- fmt.Errorf("transcript.segment: %w", err)
				return
			}
			mu.Lock()
			s.ArrivalMS = float64(now.Sub(start)) / float64(time.Millisecond)
			s.LatencyMS = s.ArrivalMS - float64(s.EndMS)/speed
			out.segments = append(out.segments, s)
			mu.Unlock()
		}
	}()
	micDone := make(chan error, 1)
	go func() {
		for {
			var ev struct{ Type, Code, Detail string }
			if err := readJSON(ctx, mic, &ev); err != nil {
				micDone <- err
				return
			}
			switch ev.Type {
			case "slow_down":
				mu.Lock()
				out.slowDown++
				mu.Unlock()
			case "done":
				micDone <- nil
				return
			case "error":
				micDone <- fmt.Errorf("audio socket: %s: %s", ev.Code, ev.Detail)
				return
			}
		}
	}()

	// A microphone hands over a frame once it has been captured: frame i
	// leaves at audio time (i+1)·100 ms, scaled by speed.
	step := clip.Rate * frameMS / 1000 * clip.Channels
	period := time.Duration(float64(frameMS*time.Millisecond) / speed)
	buf := make([]byte, 0, 2*step)
	mu.Lock()
	start = time.Now()
	mu.Unlock()
	for i, off := 0, 0; off < len(clip.Samples); i, off = i+1, off+step {
		if d := time.Until(start.Add(time.Duration(i+1) * period)); d > 0 {
			select {
			case <-time.After(d):
			case err := <-micDone:
				return nil, fmt.Errorf("audio socket closed early: %v", err)
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		buf = buf[:0]
		for _, v := range clip.Samples[off:min(off+step, len(clip.Samples))] {
			buf = binary.LittleEndian.AppendUint16(buf, uint16(pcm16(v)))
		}
		if err := mic.Write(ctx, websocket.MessageBinary, buf); err != nil {
			return nil, fmt.Errorf("audio socket: %w", err)
		}
		out.sendLag = max(out.sendLag, time.Since(start.Add(time.Duration(i+1)*period)))
	}
	if err := writeJSON(ctx, mic, map[string]string{"type": "end"}); err != nil {
		return nil, fmt.Errorf("audio socket: end: %w", err)
	}
	select {
	case err := <-micDone:
		if err != nil {
			return nil, err
		}
	case err := <-liveDone:
		return nil, fmt.Errorf("session socket: %w", err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// The segments of the last utterance are broadcast before its "heard"
	// and "done" are written; a moment covers their way to this client.
	select {
	case err := <-liveDone:
		return nil, fmt.Errorf("session socket: %w", err)
	case <-time.After(500 * time.Millisecond):
	}
	mic.Close(websocket.StatusNormalClosure, "")
	live.Close(websocket.StatusNormalClosure, "")
	mu.Lock()
	defer mu.Unlock()
	return out, nil
}

func pcm16(v float32) int16 {
	return int16(math.Round(float64(max(-1, min(v, 32767.0/32768)) * 32768)))
}

// startLive reads a new socket's welcome and starts its live stream with a
// resume from the welcome's seq.
func startLive(ctx context.Context, ws *websocket.Conn) error {
	var welcome struct {
		Type string `json:"type"`
		Data struct {
			LastSeq int64 `json:"last_seq"`
		} `json:"data"`
	}
	if err := readJSON(ctx, ws, &welcome); err != nil {
		return err
	}
	if welcome.Type != realtime.TypeWelcome {
		return fmt.Errorf("first message is %q, want welcome", welcome.Type)
	}
	return writeJSON(ctx, ws, map[string]any{"type": realtime.TypeResume, "data": realtime.ResumeRequest{LastSeq: welcome.Data.LastSeq}})
}

func readJSON(ctx context.Context, ws *websocket.Conn, v any) error {
	_, data, err := ws.Read(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func writeJSON(ctx context.Context, ws *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ws.Write(ctx, websocket.MessageText, b)
}
