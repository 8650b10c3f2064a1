"""BEV perception: deformable attention and BEVFormer's spatial cross-attention (Chapter 2 §2.1.3).

Multi-scale deformable attention (Zhu et al., Deformable DETR, arXiv 2010.04159) lets each query
sample only L·P points per head instead of attending to every key. For a query, the sampling
offsets (2 per point) and attention weights (1 per point) come from linear layers on the query
(D·H·L·P·3 MACs), the values from one D×D projection of every key (charged once per key, not per
query), and each sampled point costs a bilinear interpolation of a d_h-wide head vector (4 MACs per
channel) weighted by its attention weight (1 MAC per channel).

BEVFormer's spatial cross-attention (SCA, ``spatial_cross_attention.py``) runs this per (BEV query,
camera) pair for the cameras the query's pillar projects into; its P points are spread over the
query's N_ref height anchors. The output projection runs once per BEV query.
"""

from ..registry import Topic

t = Topic("bev", section="2.1.3")
Nq = t.symbol("N_q", "queries", "1", integer=True)
Npair = t.symbol("N_pair", "(query, camera) pairs processed", "1", integer=True)
Nbev = t.symbol("N_BEV", "BEV queries (H_bev·W_bev)", "1", integer=True)
Ncam = t.symbol("N_cam", "cameras", "1", integer=True)
T = t.symbol("T", "image-feature tokens per camera (all FPN levels)", "1", integer=True)
Nref = t.symbol("N_ref", "height anchors (reference points) per BEV query", "1", integer=True)
D = t.symbol("D", "embedding width", "1", integer=True)
H = t.symbol("H", "attention heads", "1", integer=True)
L = t.symbol("L", "feature levels", "1", integer=True)
P = t.symbol("P", "sampling points per head and level", "1", integer=True)

DDETR = "Zhu et al., Deformable DETR, arXiv 2010.04159, §4.1 (MSDeformAttn)"
BEVF = "fundamentalvision/BEVFormer projects/mmdet3d_plugin/bevformer/modules/spatial_cross_attention.py"

sampling = t.formula("deform_attn_sampling_macs", 5 * Nq * L * P * D, unit="MAC",
                     description="deformable-attention sampling: per query, head, level and point a bilinear "
                                 "interpolation (4 MACs) and a weighting (1 MAC) per channel of the head (H·d_h = D)",
                     source=DDETR + " (assumption: bilinear = 4 MACs per channel)", lhs=r"\mathrm{MACs}_{\mathrm{samp}}")
offsets = t.formula("deform_attn_query_macs", 3 * Nq * D * H * L * P, unit="MAC",
                    description="sampling offsets (2 per point) and attention weights (1 per point): linear layers "
                                "on each query", source=DDETR, lhs=r"\mathrm{MACs}_{\mathrm{off+w}}")
sca = t.formula(
    "sca_macs",
    Ncam * T * D**2 + offsets.expr.subs(Nq, Npair) + sampling.expr.subs(Nq, Npair) + Nbev * D**2,
    unit="MAC",
    description="BEVFormer spatial cross-attention per encoder layer: value projection of every image token, "
                "offsets/weights and sampling per (query, camera) pair, output projection per BEV query",
    source=BEVF, lhs=r"\mathrm{MACs}_{\mathrm{SCA}}")
t.formula("sca_macs_draft", Nbev * Ncam * Nref * D**2, unit="MAC",
          description="the draft's SCA complexity O(N_BEV·N_cam·N_ref·D²) taken literally",
          source="draft §2.1.3", lhs=r"\mathrm{MACs}_{\mathrm{SCA,draft}}")
