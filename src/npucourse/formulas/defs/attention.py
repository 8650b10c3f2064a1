"""Attention cost: standard (materialised scores) and FlashAttention (Chapter 2 §2.3.3).

Source: Dao et al., "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
arXiv 2205.14135 (NeurIPS 2022): Algorithm 0 (standard attention), Algorithm 1 (FlashAttention)
and Theorem 2 (HBM accesses Θ(Nd + N²) versus Θ(N²d²/M)).

Counting conventions (one place for all of them):

* Sizes are per batch element. ``H`` query heads share ``H_kv`` key/value heads (grouped-query
  attention, ``H_kv`` divides ``H``; ``H_kv = H`` is multi-head attention).
* ``E`` is the number of score entries that are computed: ``H·N_q·N_kv``, or with a causal mask
  only the unmasked ones (an ideal kernel does no work on masked entries).
* MACs: ``QKᵀ`` and ``PV`` each take ``d`` MACs per score entry.
* Softmax, standard: one scale multiply (1/√d), one compare (row max), one subtract, one exp,
  one add (row sum) and one divide per score entry: 6 operations (a reduction over L values is
  counted as L operations, starting from −∞ or 0).
* FlashAttention (Algorithm 1, lines 9–12): per score entry scale, compare, subtract, exp, add
  (5; the divide moves to the output); per visit of a query row to a K/V block 8 operations
  for the statistics (max of m_i and m̃_ij; two subtracts, two exps, two multiplies and one add
  for ℓ_new) and 4d + 1 for rescaling the output row (ℓ_i·e^{m_i−m_new}, two d-long scalings,
  a d-long add, a d-long divide by ℓ_new).
* HBM traffic is counted in elements of the attention dtype, ℓ and m included (the paper counts
  elements; real kernels keep ℓ and m in fp32), and converted to bytes with ``s``.
"""

import sympy as sp

from ..registry import Topic

t = Topic("attention", section="2.3.3")
Nq = t.symbol("N_q", "query sequence length", "1", integer=True)
Nkv = t.symbol("N_kv", "key/value sequence length", "1", integer=True)
d = t.symbol("d", "head dimension", "1", integer=True)
H = t.symbol("H", "query heads", "1", integer=True)
Hkv = t.symbol("H_kv", "key/value heads (grouped-query attention)", "1", integer=True)
E = t.symbol("E", "computed score entries, all heads", "1", integer=True)
nv = t.symbol("n_v", "query-row visits to K/V blocks (row loads of Algorithm 1), all heads", "1",
              integer=True)
M = t.symbol("M", "on-chip SRAM size in elements", "1", integer=True)
Bcs = t.symbol("B_c", "rows of K and V per block", "1", integer=True)
s = t.symbol("s", "bytes per element", "B")
N = t.symbol("N", "sequence length (N_q = N_kv)", "1", integer=True)
m_o = t.symbol("m_old", "running row maximum before the block", "1", real=True, positive=None)
m_b = t.symbol("m_blk", "row maximum of the new block", "1", real=True, positive=None)
l_o = t.symbol("l_old", "running sum of exponentials before the block", "1", nonnegative=True,
               positive=None)
l_b = t.symbol("l_blk", "sum of exp(x - m_blk) over the new block", "1")
o_o = t.symbol("o_old", "running (normalised) output element before the block", "1", real=True,
               positive=None)
pv = t.symbol("pv_blk", "element of exp(S_blk - m_blk) V_blk for the new block", "1", real=True,
              positive=None)

PAPER = "Dao et al., FlashAttention, arXiv 2205.14135"
ALG0 = PAPER + ", Algorithm 0 (standard attention: S and P written to and read from HBM)"
ALG1 = PAPER + ", Algorithm 1 (outer loop over K/V blocks, inner loop over Q blocks)"

# -- work ------------------------------------------------------------------------------------
t.formula("attn_entries", H * Nq * Nkv, unit="1", source="definition: S = Q K^T per head",
          description="score entries of all heads (no mask)", lhs="E")
t.formula("attn_entries_causal", H * (Nq * (Nkv - Nq) + Nq * (Nq + 1) / 2), unit="1",
          source="definition: query i sees keys j <= i + N_kv - N_q (bottom-right aligned mask), N_q <= N_kv",
          description="unmasked score entries of all heads with a causal mask", lhs=r"E_{\mathrm{causal}}")
macs = t.formula("attn_macs", 2 * E * d, unit="MAC", source=ALG0,
                 description="MACs of S = QK^T and O = PV (d each per score entry)", lhs=r"\mathrm{MACs}")
sm_std = t.formula("attn_softmax_ops", 6 * E, unit="FLOP", source="counting convention of this module",
                   description="standard softmax: scale, max, subtract, exp, sum, divide per entry",
                   lhs=r"\mathrm{ops}_{\mathrm{softmax}}")
flops_f = t.formula("attn_flops", 2 * macs.expr + sm_std.expr, unit="FLOP", source=ALG0,
          description="standard attention FLOPs: 2 per MAC plus softmax", lhs=r"\mathrm{FLOPs}")
sm_fl = t.formula("flash_softmax_ops", 5 * E + (4 * d + 9) * nv, unit="FLOP", source=ALG1,
                  description="FlashAttention non-MAC ops: 5 per entry + (4d + 9) per row visit",
                  lhs=r"\mathrm{ops}_{\mathrm{flash}}")
t.formula("flash_rescale_overhead", sp.expand(sm_fl.expr - sm_std.expr), unit="FLOP",
          source="derived: flash_softmax_ops - attn_softmax_ops",
          description="extra non-MAC ops of FlashAttention over standard softmax (online rescaling)",
          lhs=r"\Delta\mathrm{ops}")

# -- standard attention HBM traffic (Algorithm 0) ----------------------------------------------
std_r = t.formula("attn_standard_reads", s * (H * (Nq * d + 2 * Nq * Nkv) + 2 * Hkv * Nkv * d), unit="B",
                  source=ALG0, description="bytes read: Q, K, V once; S (for softmax); P (for PV)",
                  lhs=r"Q_{\mathrm{read}}")
std_w = t.formula("attn_standard_writes", s * H * (2 * Nq * Nkv + Nq * d), unit="B", source=ALG0,
                  description="bytes written: S, P and O", lhs=r"Q_{\mathrm{write}}")
std_total = std_r.expr + std_w.expr
t.formula("attn_score_bytes", s * Nq * Nkv, unit="B", source="definition",
          description="one head's score matrix S (N_q x N_kv) in memory", lhs=r"\lvert S\rvert")

# -- FlashAttention (Algorithm 1) ----------------------------------------------------------------
Bc = t.formula("flash_block_cols", sp.ceiling(M / (4 * d)), unit="1", source=PAPER + ", Algorithm 1 line 1",
               description="K/V block rows B_c = ceil(M / 4d)", lhs="B_c")
t.formula("flash_block_rows", sp.Min(sp.ceiling(M / (4 * d)), d), unit="1",
          source=PAPER + ", Algorithm 1 line 1", description="Q block rows B_r = min(ceil(M / 4d), d)",
          lhs="B_r")
Tc = t.formula("flash_kv_blocks", sp.ceiling(Nkv / Bc.expr), unit="1", source=PAPER + ", Algorithm 1 line 3",
               description="number of K/V blocks T_c = ceil(N_kv / B_c)", lhs="T_c")
t.formula("flash_row_visits", H * Nq * Tc.expr, unit="1", source=ALG1,
          description="query-row visits n_v without a mask: every Q row meets every K/V block", lhs="n_v")
fl_r = t.formula("flash_reads", s * (2 * Hkv * Nkv * d + (2 * d + 2) * nv), unit="B", source=ALG1,
                 description="bytes read: K_j, V_j once (line 6); Q_i, O_i, l_i, m_i per visit (line 8)",
                 lhs=r"Q_{\mathrm{read}}")
fl_w = t.formula("flash_writes", s * (d + 2) * (H * Nq + nv), unit="B", source=ALG1,
                 description="bytes written: O, l, m initialised (line 2); O_i, l_i, m_i per visit (13-14)",
                 lhs=r"Q_{\mathrm{write}}")
fl_total = (fl_r.expr + fl_w.expr).subs(nv, H * Nq * Tc.expr)

# -- Theorem 2, with the constants the exact counts imply (one head, N_q = N_kv = N, elements) ---
one_head = {H: 1, Hkv: 1, Nq: N, Nkv: N, s: 1}
std_sq = sp.expand(std_total.subs(one_head))
fl_sq = sp.expand(fl_total.subs(one_head))
t.formula("attn_standard_hbm_square", std_sq, unit="1", source="derived: attn_standard_reads + writes, one head",
          description="standard attention HBM accesses (elements): Θ(Nd + N²) with its constants",
          lhs=r"\mathrm{IO}_{\mathrm{std}}")
i_std = sp.simplify(flops_f.expr.subs(E, N**2) / (s * std_sq))
t.formula("attn_standard_intensity_square", i_std, unit="FLOP/B",
          source="derived: attn_flops with E = N² over s·attn_standard_hbm_square",
          description="arithmetic intensity of standard attention, one head, N_q = N_kv = N",
          lhs=r"I_{\mathrm{std}}")
t.formula("attn_standard_intensity_limit", sp.limit(i_std, N, sp.oo), unit="FLOP/B",
          source="derived: attn_standard_intensity_square as N -> oo",
          description="upper bound of standard attention's intensity (it grows with N towards this)",
          lhs=r"I_{\mathrm{std}}^{\infty}")
t.formula("flash_hbm_square", fl_sq, unit="1", source="derived: flash_reads + flash_writes, one head",
          description="FlashAttention HBM accesses (elements), exact", lhs=r"\mathrm{IO}_{\mathrm{flash}}")
# Drop the rounding (T_c -> N / (M/4d) = 4dN/M) and keep the leading term of N^2 d^2 / M.
tc_sq = Tc.expr.subs(Nkv, N)
fl_smooth = sp.expand(fl_sq.subs(tc_sq, 4 * d * N / M))
t.formula("flash_hbm_smooth", fl_smooth, unit="1", source="derived: flash_hbm_square without ceilings",
          description="FlashAttention HBM accesses with T_c = 4dN/M (no rounding)",
          lhs=r"\widetilde{\mathrm{IO}}_{\mathrm{flash}}")
theta = N**2 * d**2 / M
c_flash = sp.limit(sp.limit(fl_smooth / theta, N, sp.oo), d, sp.oo)
t.formula("flash_hbm_asymptotic", c_flash * theta, unit="1",
          source="derived: leading term of flash_hbm_smooth (Theorem 2: Θ(N²d²/M))",
          description="FlashAttention HBM accesses, leading term", lhs=r"\mathrm{IO}_{\mathrm{flash}}")
# Where Flash starts to save traffic: large N (N^2 coefficients equal) and one K/V block (T_c = 1).
m_star = sp.solve(sp.Eq(sp.limit(fl_smooth / N**2, N, sp.oo), sp.limit(std_sq / N**2, N, sp.oo)), M)[0]
t.formula("flash_breakeven_sram", sp.factor(m_star), unit="1",
          source="derived: N^2 coefficients of flash_hbm_smooth and attn_standard_hbm_square equal",
          description="SRAM (elements) above which Flash moves fewer bytes for long sequences",
          lhs=r"M^{*}")
t.formula("flash_traffic_ratio_limit",
          sp.limit(fl_sq.subs(tc_sq, N / Bcs) / std_sq, N, sp.oo), unit="1",
          source="derived: flash_hbm_square / attn_standard_hbm_square as N -> oo, T_c = N/B_c",
          description="Flash over standard HBM traffic for long sequences (1 minus the saving)",
          lhs=r"\lim_{N\to\infty}\mathrm{IO}_{\mathrm{flash}}/\mathrm{IO}_{\mathrm{std}}")
n_star = sp.solve(sp.Eq(fl_sq.subs(tc_sq, 1), std_sq), N)
n_star = [r for r in n_star if r != 0][0]
t.formula("flash_single_block_breakeven_n", n_star, unit="1",
          source="derived: flash_hbm_square with T_c = 1 equals attn_standard_hbm_square",
          description="with one K/V block (N <= B_c) Flash moves fewer bytes only for N above this",
          lhs=r"N^{*}_{T_c=1}")

# -- online softmax (Algorithm 1 lines 11-12) ----------------------------------------------------
m_new = t.formula("online_softmax_max", sp.Max(m_o, m_b), unit="1", source=PAPER + ", Algorithm 1 line 11",
                  description="running row maximum after one more block", lhs=r"m^{\mathrm{new}}")
l_new = t.formula("online_softmax_sum", sp.exp(m_o - m_new.expr) * l_o + sp.exp(m_b - m_new.expr) * l_b,
                  unit="1", source=PAPER + ", Algorithm 1 line 11",
                  description="running sum of exponentials, rescaled to the new maximum",
                  lhs=r"\ell^{\mathrm{new}}")
t.formula("online_softmax_output",
          (l_o * sp.exp(m_o - m_new.expr) * o_o + sp.exp(m_b - m_new.expr) * pv) / l_new.expr, unit="1",
          source=PAPER + ", Algorithm 1 line 12",
          description="running normalised output after one more block", lhs=r"o^{\mathrm{new}}")
