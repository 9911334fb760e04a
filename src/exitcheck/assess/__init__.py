"""The assessor's toolkit (issue 10): village/county exit rates, field-visit samples, estimation.

One module per job: ``exit_rates`` (incidence and exit verdicts per area), ``prn`` (permanent
random numbers), ``frame`` (the sampling frame from an audit), ``draw`` (two-stage stratified
selection), ``visit_sheet`` (the draw workbook), ``visits`` (reading filled visit sheets back),
``estimate`` (design-based ratio estimates), ``intervals`` (Beta/t quantiles and the
Korn–Graubard / Wilson bounds, numpy/stdlib only) and ``plan`` (sample sizes).
"""
