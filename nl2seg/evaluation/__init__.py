"""The eval suite (issue 4): case files, gold queries, the runner and its reports."""
