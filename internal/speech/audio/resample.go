package audio

import (
	"fmt"
	"math"
)

// Resampler design. Band-limited interpolation with a Kaiser-windowed sinc
// (Smith's method, polyphase for rational ratios): output sample n sits at
// input time t = n·in/out and is Σ x[k]·h(t−k). The low-pass h has its
// cut-off at 0.45 × the lower of the two rates with a transition band
// from 0.40 to 0.50 of it, so nothing above the lower Nyquist frequency
// gets through (the stop band starts exactly there) and speech up to
// 0.40 × rate (6.4 kHz at 16 kHz) keeps its level; an 80 dB stop band
// puts aliases under 16-bit noise.
const (
	resampleCutoff     = 0.45
	resampleTransition = 0.10
	resampleStopDB     = 80.0
	// maxPhases bounds the filter table. Ratios with more phases (odd rates
	// like 44 056 Hz) round t to 1/maxPhases of an input sample, a timing
	// error far below the stop band.
	maxPhases = 1024
)

// Resampler converts a stream of mono samples from one rate to another,
// keeping its filter state between calls, so that audio arriving in chunks
// (a live socket) comes out exactly as if resampled in one piece. It is not
// safe for concurrent use.
type Resampler struct {
	up, down int // out/in reduced: output n is at input time n·down/up
	phases   int
	taps     int
	half     int
	table    []float32 // phases rows of taps coefficients

	buf      []float32 // input from absolute index bufStart on
	bufStart int64
	pos      int64 // integer part of the next output's input time
	frac     int   // its fractional part, in units of 1/up
	inCount  int64
	outCount int64
}

// NewResampler returns a Resampler from inRate to outRate (Hz).
func NewResampler(inRate, outRate int) (*Resampler, error) {
	if inRate <= 0 || outRate <= 0 {
		return nil, fmt.Errorf("audio: resample from %d Hz to %d Hz: rates must be positive", inRate, outRate)
	}
	g := gcd(inRate, outRate)
	r := &Resampler{up: outRate / g, down: inRate / g}
	if inRate == outRate {
		return r, nil
	}
	r.phases = min(r.up, maxPhases)
	lower := float64(min(inRate, outRate))
	fc := resampleCutoff * lower / float64(inRate) // cycles per input sample
	dw := 2 * math.Pi * resampleTransition * lower / float64(inRate)
	taps := int(math.Ceil((resampleStopDB - 8) / (2.285 * dw)))
	r.half = (taps + 1) / 2
	r.taps = 2 * r.half
	r.table = kaiserSincTable(r.phases, r.taps, fc, kaiserBeta(resampleStopDB))
	r.reset()
	return r, nil
}

func (r *Resampler) reset() {
	// Input before the first sample counts as silence: half-1 zeros let the
	// first outputs' taps reach back before time 0.
	r.buf = append(r.buf[:0], make([]float32, r.half-1)...)
	r.bufStart = -int64(r.half - 1)
	r.pos, r.frac, r.inCount, r.outCount = 0, 0, 0, 0
}

// kaiserSincTable returns phases rows: row p holds h(j−half+1−p/phases)
// for tap j, each row scaled to sum to 1 so that DC passes unchanged
// whatever the fractional position.
func kaiserSincTable(phases, taps int, fc, beta float64) []float32 {
	half := taps / 2
	table := make([]float32, phases*taps)
	i0b := besselI0(beta)
	for p := range phases {
		row := table[p*taps : (p+1)*taps]
		var sum float64
		vals := make([]float64, taps)
		for j := range taps {
			d := float64(j-half+1) - float64(p)/float64(phases)
			x := d / float64(half)
			w := 0.0
			if x*x < 1 {
				w = besselI0(beta*math.Sqrt(1-x*x)) / i0b
			}
			vals[j] = 2 * fc * sinc(2*fc*d) * w
			sum += vals[j]
		}
		for j, v := range vals {
			row[j] = float32(v / sum)
		}
	}
	return table
}

func kaiserBeta(stopDB float64) float64 {
	if stopDB > 50 {
		return 0.1102 * (stopDB - 8.7)
	}
	return 0.5842*math.Pow(stopDB-21, 0.4) + 0.07886*(stopDB-21)
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the modified Bessel function of the first kind, order 0, by
// its power series (converges fast for the β of a Kaiser window).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; term > 1e-12*sum; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Append resamples the next samples of the stream and appends to dst every
// output sample whose filter taps are now all known; the rest come with
// later calls or Flush.
func (r *Resampler) Append(dst, samples []float32) []float32 {
	if r.table == nil {
		return append(dst, samples...)
	}
	r.buf = append(r.buf, samples...)
	r.inCount += int64(len(samples))
	return r.emit(dst, r.inCount)
}

// Flush appends the outputs that still wait for input after the end of
// the stream (taken as silence), so the output lasts as long as the input,
// and makes the Resampler ready for a new stream.
func (r *Resampler) Flush(dst []float32) []float32 {
	if r.table == nil {
		return dst
	}
	want := (r.inCount*int64(r.up) + int64(r.down) - 1) / int64(r.down)
	r.buf = append(r.buf, make([]float32, r.taps+1)...)
	end := r.bufStart + int64(len(r.buf))
	for r.outCount < want {
		dst = r.emit(dst, end)
		if r.outCount < want {
			r.buf = append(r.buf, make([]float32, r.taps)...)
			end += int64(r.taps)
		}
	}
	dst = dst[:len(dst)-int(r.outCount-want)]
	r.reset()
	return dst
}

// emit produces outputs while their last tap is before index end.
func (r *Resampler) emit(dst []float32, end int64) []float32 {
	for {
		pos, phase := r.pos, r.frac
		if r.phases != r.up {
			phase = (r.frac*r.phases + r.up/2) / r.up
			if phase == r.phases {
				pos, phase = pos+1, 0
			}
		}
		first := pos - int64(r.half) + 1
		if first+int64(r.taps) > end {
			break
		}
		x := r.buf[first-r.bufStart:][:r.taps]
		h := r.table[phase*r.taps:][:r.taps]
		dst = append(dst, dot(x, h))
		r.outCount++
		r.frac += r.down
		r.pos += int64(r.frac / r.up)
		r.frac %= r.up
	}
	// Drop input no later output can reach, copying only when that frees
	// half the buffer so the cost stays linear.
	if drop := r.pos - int64(r.half) - r.bufStart; drop > 0 && int(drop) > len(r.buf)/2 {
		n := copy(r.buf, r.buf[drop:])
		r.buf = r.buf[:n]
		r.bufStart += drop
	}
	return dst
}

// dot is the inner product of equally long x and h, in four running sums
// so that the multiplications do not wait on one another.
func dot(x, h []float32) float32 {
	h = h[:len(x)]
	var a0, a1, a2, a3 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a0 += x[i] * h[i]
		a1 += x[i+1] * h[i+1]
		a2 += x[i+2] * h[i+2]
		a3 += x[i+3] * h[i+3]
	}
	for ; i < len(x); i++ {
		a0 += x[i] * h[i]
	}
	return (a0 + a1) + (a2 + a3)
}

// Resample converts a whole clip of mono samples from inRate to outRate.
func Resample(samples []float32, inRate, outRate int) ([]float32, error) {
	r, err := NewResampler(inRate, outRate)
	if err != nil {
		return nil, err
	}
	out := make([]float32, 0, int64(len(samples))*int64(outRate)/int64(inRate)+1)
	out = r.Append(out, samples)
	return r.Flush(out), nil
}
