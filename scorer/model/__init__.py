"""The model that scores: its inputs (each sentence with its neighbours and its rule-extracted source), the
hand-written cue features, the three attribution heads as plain arrays, the support model, and loading the model
files, each checked against the card before it is parsed. Numpy only: no scikit-learn, scipy or pandas."""
