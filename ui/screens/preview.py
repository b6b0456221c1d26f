"""3. Preview: the audience's size, its funnel, a masked sample, why one customer is in or
out, and how the audience differs from the base."""

from __future__ import annotations

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from nl2seg.guard.review import Prepared
from nl2seg.preview import explain_member
from nl2seg.segment_analysis import breakdown, dimensions
from ui.i18n import lang, number, percent, plain, t
from ui.state import catalog


def preview_screen(p: Prepared, con: duckdb.DuckDBPyConnection) -> None:
    pv = p.preview
    c1, c2, c3 = st.columns(3)
    c1.metric(t("Audience", "Audience"), number(pv.count))
    c2.metric(t("Part de la base", "Share of base"), percent(pv.share))
    c3.metric(t("Base", "Base"), number(pv.base))
    step = t("étape", "step")
    funnel = pd.DataFrame([{step: f"{i + 1}. {s.label}",
                            t("seule", "alone"): s.alone, t("restants", "remaining"): s.remaining,
                            t("retirés", "dropped"): s.dropped,
                            t("sans elle", "without it"): s.without,
                            t("impact", "impact"): s.impact} for i, s in enumerate(pv.funnel)])
    st.subheader(t("Entonnoir", "Funnel"))
    # the steps in their order, each label whole (Streamlit's bar chart sorts and cuts them)
    st.altair_chart(alt.Chart(funnel).mark_bar().encode(
        x=alt.X(t("restants", "remaining"), type="quantitative"),
        y=alt.Y(step, type="nominal", sort=None, title=None, axis=alt.Axis(labelLimit=600))))
    st.dataframe(funnel, hide_index=True)
    st.subheader(t("Échantillon (données personnelles masquées)", "Sample (personal data masked)"))
    st.dataframe(pd.DataFrame(pv.sample), hide_index=True)
    st.subheader(t("Pourquoi ce client est-il dedans ou dehors ?",
                   "Why is this customer in or out?"))
    cid = st.number_input(t("Identifiant client", "Customer id"), min_value=0, step=1,
                          value=int(pv.sample[0][catalog().entity.key]) if pv.sample else 1,
                          key="why_id")
    steps = explain_member(p.compiled, con, int(cid), lang())
    if steps is None:
        st.caption(t("Ce client n'existe pas dans la base.", "No such customer in the base."))
    else:
        for label, ok in steps:
            # ✓/✗ in colour, not emoji: every browser has the glyphs
            st.markdown((":green[**✓**] " if ok else ":red[**✗**] ") + plain(label))
        st.markdown(t("**Dans l'audience**" if all(ok for _, ok in steps) else "**Hors audience**",
                      "**In the audience**" if all(ok for _, ok in steps) else "**Not in it**"))
    st.subheader(t("Analyse du segment", "Segment analysis"))
    dims = dimensions(catalog(), lang())
    dim = st.selectbox(t("Dimension", "Dimension"), list(dims), format_func=lambda d: dims[d],
                       key="dimension")
    b = breakdown(p.compiled, con, dim, lang())
    df = pd.DataFrame([{t("valeur", "value"): r.value, "audience": round(100 * r.audience_share, 1),
                        "base": round(100 * r.base_share, 1), t("indice", "index"): round(r.index)}
                       for r in b.rows]).set_index(t("valeur", "value"))
    st.bar_chart(df[["audience", "base"]], stack=False)
    st.dataframe(df)
