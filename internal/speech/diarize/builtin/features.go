package builtin

import (
	"math"
	"math/cmplx"
)

// Frame analysis: 25 ms Hamming windows every 10 ms, the usual short-time
// analysis for speech, over which a voice's spectrum is close to steady.
const (
	frameLen = 400 // samples, 25 ms at 16 kHz
	frameHop = 160 // samples, 10 ms
	fftSize  = 512
	melBands = 40
	// numCeps is the number of cepstral coefficients kept after c0, the
	// usual 20 of speaker recognition less c0: they describe the spectral
	// envelope (vocal tract), which tells voices apart; c0 is loudness,
	// which says more about distance to the microphone than about who
	// speaks.
	numCeps = 19
)

// analyzer turns frames of samples into log energy and MFCCs.
type analyzer struct {
	window []float64
	fb     [][]float64 // mel filterbank: band → weights over FFT bins
	dct    [][]float64 // numCeps × melBands
	buf    []complex128
	twid   []complex128
	mel    []float64
}

func newAnalyzer(rate int) *analyzer {
	a := &analyzer{
		window: make([]float64, frameLen),
		buf:    make([]complex128, fftSize),
		twid:   make([]complex128, fftSize/2),
		mel:    make([]float64, melBands),
	}
	for i := range a.window {
		a.window[i] = 0.54 - 0.46*math.Cos(2*math.Pi*float64(i)/float64(frameLen-1))
	}
	for i := range a.twid {
		a.twid[i] = cmplx.Exp(complex(0, -2*math.Pi*float64(i)/fftSize))
	}
	a.fb = melFilterbank(rate, 20, float64(rate)/2-400)
	a.dct = make([][]float64, numCeps)
	for k := range a.dct {
		a.dct[k] = make([]float64, melBands)
		for m := range a.dct[k] {
			a.dct[k][m] = math.Cos(math.Pi * float64(k+1) * (float64(m) + 0.5) / melBands)
		}
	}
	return a
}

func hzToMel(f float64) float64 { return 2595 * math.Log10(1+f/700) }
func melToHz(m float64) float64 { return 700 * (math.Pow(10, m/2595) - 1) }

// melFilterbank makes triangular filters evenly spaced on the mel scale
// between lo and hi Hz.
func melFilterbank(rate int, lo, hi float64) [][]float64 {
	ml, mh := hzToMel(lo), hzToMel(hi)
	edges := make([]float64, melBands+2)
	for i := range edges {
		edges[i] = melToHz(ml+(mh-ml)*float64(i)/float64(melBands+1)) * fftSize / float64(rate)
	}
	fb := make([][]float64, melBands)
	for b := range fb {
		fb[b] = make([]float64, fftSize/2+1)
		l, c, r := edges[b], edges[b+1], edges[b+2]
		for k := range fb[b] {
			x := float64(k)
			switch {
			case x > l && x <= c:
				fb[b][k] = (x - l) / (c - l)
			case x > c && x < r:
				fb[b][k] = (r - x) / (r - c)
			}
		}
	}
	return fb
}

// frame computes the frame's energy in dB (full scale) and writes its
// MFCCs c1…c19 into ceps.
func (a *analyzer) frame(x []float32, ceps []float64) (energyDB float64) {
	var e float64
	prev := float64(x[0])
	for i := range frameLen {
		v := float64(x[i])
		e += v * v
		// Pre-emphasis flattens the speech spectrum's −6 dB/octave tilt so
		// the higher formants weigh in the cepstrum.
		a.buf[i] = complex((v-0.97*prev)*a.window[i], 0)
		prev = v
	}
	for i := frameLen; i < fftSize; i++ {
		a.buf[i] = 0
	}
	fft(a.buf, a.twid)
	for b, w := range a.fb {
		var s float64
		for k, wk := range w {
			if wk != 0 {
				re, im := real(a.buf[k]), imag(a.buf[k])
				s += wk * (re*re + im*im)
			}
		}
		a.mel[b] = math.Log(s + 1e-10)
	}
	for k, row := range a.dct {
		var s float64
		for m, c := range row {
			s += c * a.mel[m]
		}
		ceps[k] = s
	}
	return 10 * math.Log10(e/frameLen+1e-12)
}

// fft is an in-place radix-2 decimation-in-time FFT of len(x) (a power of
// two) with twiddles twid[k] = exp(−2πik/len(x)).
func fft(x []complex128, twid []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j |= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half, step := size/2, n/size
		for start := 0; start < n; start += size {
			for k := range half {
				t := twid[k*step] * x[start+k+half]
				x[start+k+half] = x[start+k] - t
				x[start+k] += t
			}
		}
	}
}

// Pitch search range: 80–400 Hz, most adult and child voices; a 25 ms
// frame holds two periods of 80 Hz.
const (
	minLag = 16000 / 400
	maxLag = 16000 / 80
	// periodicity is the normalised autocorrelation above which a frame
	// counts as voiced (periodic); below it the frame is noise-like or
	// mixed, and its "pitch" would be noise.
	periodicity = 0.6
)

// pitch returns the log fundamental frequency of x (a frame) and whether
// the frame is periodic enough to have one, by normalised autocorrelation.
func pitch(x []float32) (logF0 float64, ok bool) {
	n := len(x)
	best, bestLag := 0.0, 0
	for lag := minLag; lag <= maxLag; lag++ {
		var xy, xx, yy float64
		for i := 0; i+lag < n; i++ {
			a, b := float64(x[i]), float64(x[i+lag])
			xy += a * b
			xx += a * a
			yy += b * b
		}
		if xx == 0 || yy == 0 {
			continue
		}
		if r := xy / math.Sqrt(xx*yy); r > best {
			best, bestLag = r, lag
		}
	}
	if best < periodicity {
		return 0, false
	}
	return math.Log(16000 / float64(bestLag)), true
}
