package builtin

import "math"

// stats are the sufficient statistics of a diagonal Gaussian over MFCC
// vectors: count, sums and sums of squares.
type stats struct {
	n   float64
	sum [numCeps]float64
	sq  [numCeps]float64
	// pn, ps, pq: count, sum and sum of squares of the log pitch of the
	// periodic frames.
	pn, ps, pq float64
	// wq, wn (and pwq, pwn for pitch) sum n·variance and n over the
	// segments a speaker's statistics absorbed: the spread inside its
	// segments, without the spread between them.
	wq       [numCeps]float64
	wn       float64
	pwq, pwn float64
}

// absorb adds segment g to a speaker's statistics.
func (s *stats) absorb(g *stats) {
	s.merge(g)
	for i := range numCeps {
		m := g.sum[i] / g.n
		s.wq[i] += g.sq[i] - g.n*m*m
	}
	s.wn += g.n
	if g.pn > 0 {
		m := g.ps / g.pn
		s.pwq += g.pq - g.pn*m*m
		s.pwn += g.pn
	}
}

// variance is the spread inside s's segments in dimension i.
func (s *stats) variance(i int) float64 {
	if s.wn > 0 {
		return s.wq[i] / s.wn
	}
	m := s.sum[i] / s.n
	return s.sq[i]/s.n - m*m
}

func (s *stats) pitchVariance() float64 {
	if s.pwn > 0 {
		return s.pwq / s.pwn
	}
	m := s.ps / s.pn
	return s.pq/s.pn - m*m
}

func (s *stats) addPitch(lf0 float64) {
	s.pn++
	s.ps += lf0
	s.pq += lf0 * lf0
}

func (s *stats) add(x []float64) {
	s.n++
	for i, xi := range x {
		s.sum[i] += xi
		s.sq[i] += xi * xi
	}
}

func (s *stats) merge(o *stats) {
	s.pn, s.ps, s.pq = s.pn+o.pn, s.ps+o.ps, s.pq+o.pq
	for i := range numCeps {
		s.wq[i] += o.wq[i]
	}
	s.wn, s.pwq, s.pwn = s.wn+o.wn, s.pwq+o.pwq, s.pwn+o.pwn
	s.n += o.n
	for i := range s.sum {
		s.sum[i] += o.sum[i]
		s.sq[i] += o.sq[i]
	}
}

func (s *stats) sub(o *stats) {
	s.pn, s.ps, s.pq = s.pn-o.pn, s.ps-o.ps, s.pq-o.pq
	s.n -= o.n
	for i := range s.sum {
		s.sum[i] -= o.sum[i]
		s.sq[i] -= o.sq[i]
	}
}

// varFloor keeps a covariance estimated from few frames invertible; it is
// small next to the variance of any cepstral coefficient over speech.
const varFloor = 1e-2

// logDet is log |Σ| of the maximum-likelihood diagonal covariance. The
// models are diagonal: a full covariance in numCeps dimensions has 190
// parameters, more than the 100 frames of a change window can estimate,
// and its BIC penalty then hides all but gross changes.
func (s *stats) logDet() float64 {
	var ld float64
	for i := range numCeps {
		m := s.sum[i] / s.n
		ld += math.Log(s.sq[i]/s.n - m*m + varFloor)
	}
	return ld
}

// gaussParams is the number of free parameters of a diagonal Gaussian.
const gaussParams = 2 * numCeps

// deltaBIC is the Bayesian information criterion's gain from modelling a
// and b by two Gaussians instead of one: > 0 says they are better kept
// apart (Chen & Gopalakrishnan 1998). lambda weighs the model-size penalty;
// 1 is the criterion's own value.
func deltaBIC(a, b *stats, lambda float64) float64 {
	ab := *a
	ab.merge(b)
	n := ab.n
	gain := 0.5 * (n*ab.logDet() - a.n*a.logDet() - b.n*b.logDet())
	return gain - lambda*0.5*gaussParams*math.Log(n)
}

// voiceDist tells how far apart the voices of a and b are, as an effect
// size: the difference of their means in units of the spread inside their
// segments (for a speaker, the spread within the segments it absorbed, not
// between them: a speaker that once took a wrong segment must not grow
// broad enough to take every voice), root-mean-square over the cepstral
// coefficients, so that it means the same whatever the microphone's gain or
// the coefficient's scale. Pitch, the voice's source, is mixed in with
// weight pitchW next to the envelope, its filter, when both have enough
// periodic frames.
func voiceDist(a, b *stats, pitchW float64) float64 {
	var d float64
	for k := range numCeps {
		ma, mb := a.sum[k]/a.n, b.sum[k]/b.n
		va, vb := a.variance(k), b.variance(k)
		d += (ma - mb) * (ma - mb) / (0.5*(va+vb) + varFloor)
	}
	d /= numCeps
	if a.pn >= minPitched && b.pn >= minPitched && pitchW > 0 {
		ma, mb := a.ps/a.pn, b.ps/b.pn
		va, vb := a.pitchVariance(), b.pitchVariance()
		// 1e-4 (1% in pitch) keeps a monotone voice from dividing by 0.
		p := (ma - mb) * (ma - mb) / (0.5*(va+vb) + 1e-4)
		d = (1-pitchW)*d + pitchW*p
	}
	return math.Sqrt(d)
}

// minPitched is the periodic frames (0.1 s) a pitch estimate needs.
const minPitched = 10
