"""Training and measuring the model: the human-annotated corpora and their labels, the scikit-learn heads, fitting
them and the support model, compiling the heads into the arrays that ship, saving the model with its card, and the
dev-set evaluation and hand audits. Training may import every layer of the package; the scoring side never imports
training (the command line's train, evaluate and corpus commands import it inside the command)."""
