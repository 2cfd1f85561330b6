"""The Mission catalog in a notebook: the Catalog widget (``widget``: templates, a plan edited live, its selection,
bound graph and ASL, an estimate from recorded runs, and Launch handing over to the Launcher), the HTML it shows,
always escaped since a plan is untrusted text (``views``), and how it reads a plan and recorded runs
(``sources``).
"""
