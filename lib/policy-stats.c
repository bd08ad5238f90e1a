/* Policies: the robust statistics replay compares days with. Median by
 * quickselect, the scaled median absolute deviation (Rousseeuw & Croux 1993)
 * and the Theil–Sen slope (Sen 1968). Pure functions over arrays of doubles.
 */
#include <math.h>

#include "policy-internal.h"

#define MAD_SCALE 1.4826 /* MAD → σ for normal data (Rousseeuw & Croux 1993) */

static void swap_d(double *a, size_t i, size_t j) {
        double t = a[i];

        a[i] = a[j];
        a[j] = t;
}

static double median3(double a, double b, double c) {
        if (a > b) {
                double t = a;
                a = b;
                b = t;
        }
        return c <= a ? a : c >= b ? b : c;
}

/* The k-th smallest of a[0..n) (no NANs), k < n; afterwards a[0..k) ≤ a[k].
 * Quickselect with a three-way partition, so runs of equal values (0/1
 * answers, whole minutes) stay linear. */
static double select_kth(double *a, size_t n, size_t k) {
        size_t lo = 0, hi = n;

        /* Short arrays (a weekday's few days): insertion sort is quicker. */
        if (n <= 16) {
                for (size_t i = 1; i < n; i++)
                        for (size_t j = i; j > 0 && a[j - 1] > a[j]; j--)
                                swap_d(a, j - 1, j);
                return a[k];
        }

        while (hi - lo > 1) {
                double pivot = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
                size_t lt = lo, i = lo, gt = hi;

                while (i < gt) {
                        if (a[i] < pivot)
                                swap_d(a, lt++, i++);
                        else if (a[i] > pivot)
                                swap_d(a, i, --gt);
                        else
                                i++;
                }
                if (k < lt)
                        hi = lt;
                else if (k >= gt)
                        lo = gt;
                else
                        return pivot;
        }
        return a[k];
}

/* The median of a[0..n) (reordered), the mean of the two middle values for an
 * even n as in summary.c; NAN for n = 0. */
double policy_median(double *a, size_t n) {
        double hi, lo;

        if (n == 0)
                return NAN;
        hi = select_kth(a, n, n / 2);
        if (n % 2 == 1)
                return hi;
        lo = a[0];
        for (size_t i = 1; i < n / 2; i++)
                lo = MAX(lo, a[i]);
        return (lo + hi) / 2;
}

/* m = median(a), returns s = 1.4826·MAD(a); a is overwritten. */
double policy_robust_spread(double *a, size_t n, double *ret_m) {
        double m = policy_median(a, n);

        for (size_t i = 0; i < n; i++)
                a[i] = fabs(a[i] - m);
        *ret_m = m;
        return MAD_SCALE * policy_median(a, n);
}

/* Theil–Sen: the median of the pairwise slopes (v_j − v_i)/(t_j − t_i), t
 * distinct (Sen 1968). slopes: room for n(n−1)/2. */
double policy_theil_sen(const double *t, const double *v, size_t n, double *slopes) {
        size_t m = 0;

        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        slopes[m++] = (v[j] - v[i]) / (t[j] - t[i]);
        return policy_median(slopes, m);
}
