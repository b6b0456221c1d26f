"""The review app (``nl2seg app``): ``ui/app.py`` is the page Streamlit runs."""
