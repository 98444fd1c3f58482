// Package vad finds the speech in a stream of audio and cuts it into
// utterances, so that recognition runs on one utterance at a time and a
// transcript segment can leave soon after its speaker pauses.
//
// It is an energy detector, chosen for being cheap (a few hundred times
// faster than real time) and predictable: each 10 ms frame's level, after a
// pre-emphasis filter, is compared with an adaptive noise floor (the
// quietest recent frame, which falls at once and rises slowly). A frame
// well above the floor starts speech; speech ends at a pause of MinPause
// or is cut at MaxUtterance, at the quietest moment of its last second;
// pre- and post-roll keep word edges; blips shorter than MinSpeech are
// dropped. Its limits: it hears any loud non-stationary sound (a door, a
// dropped die) as speech, and speech that does not rise OnsetDB above the
// noise as silence.
package vad

import (
	"fmt"
	"math"
	"time"

	"github.com/gmc-project/gmc/internal/speech"
)

// Config tunes a Detector. A zero field takes its DefaultConfig value.
type Config struct {
	// SampleRate of the mono samples written, in Hz.
	SampleRate int
	// Frame is the analysis step.
	Frame time.Duration
	// MinPause is the silence that ends an utterance; shorter dips (inside
	// and between words) do not.
	MinPause time.Duration
	// MaxUtterance bounds an utterance, so recognition keeps up with a
	// speaker who never pauses.
	MaxUtterance time.Duration
	// MinSpeech is the shortest burst of speech kept; shorter ones are clicks.
	MinSpeech time.Duration
	// PreRoll and PostRoll are kept before the first and after the last
	// speech frame, so that soft onsets and endings are not clipped.
	// PostRoll is at most MinPause.
	PreRoll, PostRoll time.Duration
	// OnsetDB is how far above the noise floor a frame must be to start
	// speech, ActiveDB how far to count as speech once it has started.
	OnsetDB, ActiveDB float64
	// MinLevelDB is the least frame level (pre-emphasised, dB re full scale)
	// that can be speech, so that the floor of digital silence does not make
	// the faintest hiss count.
	MinLevelDB float64
	// FloorWindow is how far back the noise floor looks for the quietest
	// frame, FloorRise how fast (dB per second) it may rise.
	FloorWindow time.Duration
	FloorRise   float64
}

// DefaultConfig returns settings chosen from how speech behaves, not from
// any test recording: 10 ms frames resolve syllables; pauses inside a
// sentence rarely reach 300 ms while pauses between sentences and turns do;
// 15 s keeps recognition latency bounded; 150 ms is shorter than any word.
// A frame 10 dB (ten times the power) above the quietest of the last 1.5 s
// is very unlikely to be noise, and 5 dB keeps a word's quieter tail.
// Running speech leaves a near-silent gap (a stop, a breath) well within
// 1.5 s, so that window is what keeps speech from lifting the floor; the
// 10 dB/s rise only slows a jump of the floor, and still lets it follow a
// fan switched on within a few seconds.
func DefaultConfig() Config {
	return Config{
		SampleRate:   speech.SampleRate,
		Frame:        10 * time.Millisecond,
		MinPause:     300 * time.Millisecond,
		MaxUtterance: 15 * time.Second,
		MinSpeech:    150 * time.Millisecond,
		PreRoll:      200 * time.Millisecond,
		PostRoll:     200 * time.Millisecond,
		OnsetDB:      10,
		ActiveDB:     5,
		MinLevelDB:   -60,
		FloorWindow:  1500 * time.Millisecond,
		FloorRise:    10,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	set := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	set(&c.Frame, d.Frame)
	set(&c.MinPause, d.MinPause)
	set(&c.MaxUtterance, d.MaxUtterance)
	set(&c.MinSpeech, d.MinSpeech)
	set(&c.PreRoll, d.PreRoll)
	set(&c.PostRoll, d.PostRoll)
	set(&c.FloorWindow, d.FloorWindow)
	if c.SampleRate == 0 {
		c.SampleRate = d.SampleRate
	}
	if c.OnsetDB == 0 {
		c.OnsetDB = d.OnsetDB
	}
	if c.ActiveDB == 0 {
		c.ActiveDB = d.ActiveDB
	}
	if c.MinLevelDB == 0 {
		c.MinLevelDB = d.MinLevelDB
	}
	if c.FloorRise == 0 {
		c.FloorRise = d.FloorRise
	}
	return c
}

func (c Config) validate() error {
	switch {
	case c.SampleRate < 1000:
		return fmt.Errorf("vad: SampleRate %d Hz is below 1000", c.SampleRate)
	case c.Frame < time.Millisecond || c.Frame > 100*time.Millisecond:
		return fmt.Errorf("vad: Frame %v is not between 1ms and 100ms", c.Frame)
	case c.MinPause < c.Frame || c.MinSpeech < 0 || c.PreRoll < 0 || c.PostRoll < 0 || c.FloorWindow < c.Frame:
		return fmt.Errorf("vad: MinPause, MinSpeech, PreRoll, PostRoll and FloorWindow must be positive and MinPause, FloorWindow at least one Frame")
	case c.MaxUtterance < 2*time.Second:
		return fmt.Errorf("vad: MaxUtterance %v is below 2s", c.MaxUtterance)
	case c.PostRoll > c.MinPause:
		return fmt.Errorf("vad: PostRoll %v is longer than MinPause %v", c.PostRoll, c.MinPause)
	case c.ActiveDB > c.OnsetDB:
		return fmt.Errorf("vad: ActiveDB %v is above OnsetDB %v", c.ActiveDB, c.OnsetDB)
	case c.FloorRise <= 0:
		return fmt.Errorf("vad: FloorRise %v must be positive", c.FloorRise)
	}
	return nil
}

// Utterance is a stretch of speech. Times are milliseconds of stream time,
// which starts at 0 with the first sample written.
type Utterance struct {
	StartMS int64
	EndMS   int64
	// Samples are the utterance's audio, owned by the caller.
	Samples []float32
}

// cutWindow is how far back from MaxUtterance a forced cut looks for the
// quietest frame.
const cutWindow = time.Second

// preEmphasis is the usual speech front-end coefficient: a first
// difference that lifts the formants and removes the low rumble (hum,
// brown noise, wind) that carries much energy and no speech.
const preEmphasis = 0.97

// Detector cuts one stream into utterances. It is not safe for concurrent use.
type Detector struct {
	cfg Config
	// Lengths in samples or frames, from cfg.
	frameLen, preRoll, postRoll, maxUtt int64
	pauseFrames, minFrames, cutFrames   int64
	riseDB                              float64

	buf      []float32 // samples from absolute index bufStart on
	bufStart int64
	next     int64 // start of the next frame to analyse
	prev     float32
	frame    int64 // index of the next frame

	hist  []frameStat // ring of the last FloorWindow (or cutWindow) frames
	floor float64

	inSpeech    bool
	uttStart    int64 // first sample of the current utterance
	firstActive int64 // first speech frame of it, -1 when none yet
	lastActive  int64 // last speech frame (or where counting a pause starts)
	lastEnd     int64 // end of the last utterance, which pre-roll may not cross
}

type frameStat struct {
	level  float64
	active bool
}

// New returns a Detector; cfg's zero fields take DefaultConfig values.
func New(cfg Config) (*Detector, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	samples := func(d time.Duration) int64 { return int64(d) * int64(cfg.SampleRate) / int64(time.Second) }
	d := &Detector{cfg: cfg, frameLen: samples(cfg.Frame), preRoll: samples(cfg.PreRoll),
		postRoll: samples(cfg.PostRoll), maxUtt: samples(cfg.MaxUtterance)}
	frames := func(dur time.Duration) int64 { return int64((dur + cfg.Frame - 1) / cfg.Frame) }
	d.pauseFrames, d.minFrames, d.cutFrames = frames(cfg.MinPause), frames(cfg.MinSpeech), frames(cutWindow)
	d.riseDB = cfg.FloorRise * cfg.Frame.Seconds()
	d.hist = make([]frameStat, max(frames(cfg.FloorWindow), d.cutFrames))
	d.reset()
	return d, nil
}

func (d *Detector) reset() {
	d.buf, d.bufStart, d.next, d.prev, d.frame = d.buf[:0], 0, 0, 0, 0
	d.floor = math.Inf(1)
	d.inSpeech, d.lastEnd = false, 0
}

// Write adds the samples that follow those written before and returns the
// utterances that they complete, in order.
func (d *Detector) Write(samples []float32) []Utterance {
	d.buf = append(d.buf, samples...)
	var out []Utterance
	for d.next+d.frameLen <= d.bufStart+int64(len(d.buf)) {
		if u, ok := d.step(); ok {
			out = append(out, u)
		}
	}
	d.trim()
	return out
}

// Flush ends the stream: an utterance still open ends at its last speech
// (plus post-roll, as far as there is audio). The Detector then starts a
// new stream at time 0.
func (d *Detector) Flush() []Utterance {
	var out []Utterance
	if d.inSpeech {
		end := min((d.lastActive+1)*d.frameLen+d.postRoll, d.bufStart+int64(len(d.buf)))
		if u, ok := d.emit(end); ok {
			out = append(out, u)
		}
	}
	d.reset()
	return out
}

// step analyses the next frame and reports an utterance it completes.
func (d *Detector) step() (Utterance, bool) {
	x := d.buf[d.next-d.bufStart:][:d.frameLen]
	level := d.level(x)
	f := d.frame
	d.frame++
	d.next += d.frameLen
	d.updateFloor(level)
	onset := math.Max(d.floor+d.cfg.OnsetDB, d.cfg.MinLevelDB)
	active := level >= math.Max(d.floor+d.cfg.ActiveDB, d.cfg.MinLevelDB)
	d.hist[f%int64(len(d.hist))] = frameStat{level: level, active: active}

	if !d.inSpeech {
		if level >= onset {
			d.inSpeech = true
			d.uttStart = max(f*d.frameLen-d.preRoll, d.lastEnd, d.bufStart)
			d.firstActive, d.lastActive = f, f
		}
		return Utterance{}, false
	}
	if active {
		if d.firstActive < 0 {
			d.firstActive = f
		}
		d.lastActive = f
	}
	if f-d.lastActive >= d.pauseFrames {
		u, ok := d.emit((d.lastActive+1)*d.frameLen + d.postRoll)
		d.inSpeech = false
		return u, ok
	}
	if d.next-d.uttStart >= d.maxUtt {
		return d.cut(f)
	}
	return Utterance{}, false
}

// level is the frame's pre-emphasised power in dB re full scale.
func (d *Detector) level(x []float32) float64 {
	var sum float64
	prev := d.prev
	for _, v := range x {
		e := float64(v - preEmphasis*prev)
		sum += e * e
		prev = v
	}
	d.prev = prev
	if math.IsNaN(sum) || math.IsInf(sum, 0) {
		// One bad sample must not leave a NaN floor that silences the rest.
		sum, d.prev = 0, 0
	}
	return 10 * math.Log10(sum/float64(len(x))+1e-12)
}

// updateFloor follows the quietest frame of the last FloorWindow: down at
// once, up by at most riseDB a frame, so that a long stretch of speech
// cannot lift the floor into itself.
func (d *Detector) updateFloor(level float64) {
	quietest := level
	n := min(d.frame-1, int64(d.cfg.FloorWindow/d.cfg.Frame))
	for i := int64(1); i <= n; i++ {
		quietest = math.Min(quietest, d.hist[(d.frame-1-i)%int64(len(d.hist))].level)
	}
	if math.IsInf(d.floor, 1) {
		// Before any quiet has been heard, assume the loudest floor at which
		// speech at MinLevelDB+OnsetDB would still start: a stream that
		// opens with speech is then heard, and one that opens with noise
		// below that level is not taken for speech while the floor learns.
		d.floor = math.Min(level, d.cfg.MinLevelDB+d.cfg.OnsetDB)
		return
	}
	if quietest < d.floor {
		d.floor = quietest
	} else {
		d.floor = math.Min(quietest, d.floor+d.riseDB)
	}
}

// cut ends an utterance that reached MaxUtterance after the quietest frame
// of its last second, and goes on with a new one from there.
func (d *Detector) cut(f int64) (Utterance, bool) {
	q := f
	for g := f - 1; g > f-d.cutFrames && g*d.frameLen >= d.uttStart; g-- {
		if d.hist[g%int64(len(d.hist))].level < d.hist[q%int64(len(d.hist))].level {
			q = g
		}
	}
	end := (q + 1) * d.frameLen
	u, ok := d.emit(end)
	d.uttStart, d.firstActive, d.lastActive = end, -1, q
	for g := q + 1; g <= f; g++ {
		if d.hist[g%int64(len(d.hist))].active {
			if d.firstActive < 0 {
				d.firstActive = g
			}
			d.lastActive = g
		}
	}
	return u, ok
}

// emit makes the utterance from uttStart to end, unless it holds less
// than MinSpeech of speech.
func (d *Detector) emit(end int64) (Utterance, bool) {
	start := d.uttStart
	d.lastEnd = end
	if d.firstActive < 0 || d.lastActive-d.firstActive+1 < d.minFrames {
		return Utterance{}, false
	}
	rate := int64(d.cfg.SampleRate)
	return Utterance{
		StartMS: start * 1000 / rate,
		EndMS:   end * 1000 / rate,
		Samples: append([]float32(nil), d.buf[start-d.bufStart:end-d.bufStart]...),
	}, true
}

// trim drops audio no utterance can still need: outside speech, all but
// the pre-roll; compacting only when that frees half the buffer keeps the
// cost linear.
func (d *Detector) trim() {
	keep := d.next - d.preRoll
	if d.inSpeech {
		keep = d.uttStart
	}
	keep = max(keep, d.lastEnd)
	if drop := keep - d.bufStart; drop > 0 && drop > int64(len(d.buf))/2 {
		n := copy(d.buf, d.buf[drop:])
		d.buf = d.buf[:n]
		d.bufStart = keep
	}
}
