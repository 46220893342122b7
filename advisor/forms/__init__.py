"""Web forms: the questionnaire (built from the knowledge base) and the small forms around it."""
