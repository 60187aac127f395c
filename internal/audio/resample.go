package audio

import (
	"math"
	"sync"
)

// The resampler is a windowed-sinc interpolator (band-limited
// interpolation): each output sample is the input convolved with a sinc
// low-pass at the lower of the two Nyquist frequencies (less a margin, so
// what cannot be represented at the new rate is removed rather than
// folded back as aliasing), shaped by a Kaiser window. The kernel is
// tabulated once and read with linear interpolation.
const (
	kernelZeros  = 32   // zero crossings of the sinc each side
	kernelPhases = 512  // table entries per zero crossing
	kaiserBeta   = 8.0  // about 80 dB stop-band attenuation
	cutoffMargin = 0.95 // the cut-off (half gain) at 95 % of the lower Nyquist frequency
)

var (
	kernelOnce  sync.Once
	kernelTable []float64 // kernel(u) for u = i / kernelPhases, u in [0, kernelZeros]
)

func kernel() []float64 {
	kernelOnce.Do(func() {
		n := kernelZeros*kernelPhases + 2
		kernelTable = make([]float64, n)
		i0b := besselI0(kaiserBeta)
		for i := range n {
			u := float64(i) / kernelPhases
			if u > kernelZeros {
				break
			}
			sinc := 1.0
			if u != 0 {
				sinc = math.Sin(math.Pi*u) / (math.Pi * u)
			}
			r := u / kernelZeros
			kernelTable[i] = sinc * besselI0(kaiserBeta*math.Sqrt(1-r*r)) / i0b
		}
	})
	return kernelTable
}

// besselI0 is the modified Bessel function of the first kind, order 0
// (its power series), for the Kaiser window.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}

// maxPhases bounds the polyphase tables: rates whose ratio reduces to
// more phases than this (odd rates such as 44,101 Hz) are resampled by
// reading the tabulated kernel for every tap instead.
const maxPhases = 4096

// Resample converts samples at rate from to rate to.
func Resample(samples []float64, from, to int) []float64 {
	if from == to {
		return append([]float64(nil), samples...)
	}
	ratio := float64(to) / float64(from)
	// fc is the cut-off relative to the input's Nyquist frequency.
	fc := cutoffMargin * min(1, ratio)
	halfWidth := float64(kernelZeros) / fc // in input samples
	n := int(math.Floor(float64(len(samples)) * ratio))
	g := gcd(from, to)
	up, down := to/g, from/g
	if up > maxPhases {
		return resampleDirect(samples, ratio, fc, halfWidth, n)
	}
	// Output j sits at input position j·down/up: the integer part k0 and
	// one of up phases. Each phase's taps are computed once.
	w := int(math.Ceil(halfWidth))
	taps := make([]float64, up*2*w)
	for p := range up {
		frac := float64(p) / float64(up)
		for t := range 2 * w {
			taps[p*2*w+t] = fc * kernelAt(math.Abs(frac-float64(t-w+1)), fc)
		}
	}
	out := make([]float64, n)
	for j := range out {
		pos := j * down
		k0, p := pos/up, pos%up
		h := taps[p*2*w : (p+1)*2*w]
		first := k0 - w + 1
		lo, hi := 0, 2*w
		if first < 0 {
			lo = -first
		}
		if first+hi > len(samples) {
			hi = len(samples) - first
		}
		sum := 0.0
		for t := lo; t < hi; t++ {
			sum += samples[first+t] * h[t]
		}
		out[j] = sum
	}
	return out
}

// kernelAt is the low-pass kernel at distance d input samples, for the
// cut-off fc.
func kernelAt(d, fc float64) float64 {
	table := kernel()
	p := d * fc * kernelPhases
	i := int(p)
	if i+1 >= len(table) {
		return 0
	}
	f := p - float64(i)
	return table[i] + f*(table[i+1]-table[i])
}

func resampleDirect(samples []float64, ratio, fc, halfWidth float64, n int) []float64 {
	out := make([]float64, n)
	for j := range out {
		x := float64(j) / ratio // position in the input
		lo := max(0, int(math.Ceil(x-halfWidth)))
		hi := min(len(samples)-1, int(math.Floor(x+halfWidth)))
		sum := 0.0
		for k := lo; k <= hi; k++ {
			sum += samples[k] * kernelAt(math.Abs(x-float64(k)), fc)
		}
		out[j] = sum * fc
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
