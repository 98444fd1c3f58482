package der

import "math"

// hungarianMax returns a maximum-weight one-to-one assignment of the rows
// of w to its columns as row → column, for any rectangular w. It is the
// Kuhn–Munkres algorithm with potentials, O(n³), written as score_der.py
// writes it so that ties between equal mappings break the same way.
func hungarianMax(w [][]float64) map[int]int {
	nr := len(w)
	nc := 0
	if nr > 0 {
		nc = len(w[0])
	}
	n := max(nr, nc)
	if n == 0 {
		return map[int]int{}
	}
	big := 0.0
	for i, r := range w {
		for j, x := range r {
			if (i == 0 && j == 0) || x > big {
				big = x
			}
		}
	}
	cost := make([][]float64, n)
	for i := range cost {
		cost[i] = make([]float64, n)
		for j := range cost[i] {
			v := 0.0
			if i < nr && j < nc {
				v = w[i][j]
			}
			cost[i][j] = big - v
		}
	}
	inf := math.Inf(1)
	u, v := make([]float64, n+1), make([]float64, n+1)
	p, way := make([]int, n+1), make([]int, n+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		minv := make([]float64, n+1)
		used := make([]bool, n+1)
		for j := range minv {
			minv[j] = inf
		}
		for {
			used[j0] = true
			i0, delta, j1 := p[j0], inf, 0
			for j := 1; j <= n; j++ {
				if used[j] {
					continue
				}
				cur := cost[i0-1][j-1] - u[i0] - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= n; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
			if j0 == 0 {
				break
			}
		}
	}
	res := make(map[int]int)
	for j := 1; j <= n; j++ {
		i := p[j] - 1
		if i < nr && j-1 < nc {
			res[i] = j - 1
		}
	}
	return res
}
