"""Identity resolution: stitch every person-bearing source record to one persistent customer id.

Entry points:
- `identity.resolve.run_identity(settings)`: raw_* tables -> identity.customer_map / customer_id_history.
- `identity.train.train_model(settings)`: re-estimate the Splink model (identity/models/person_model.json).
- `identity.evaluate.evaluate(con_or_settings, truth_csv)`: pairwise and cluster quality against truth.
- `identity.cli_commands`: plain-argument functions behind `c360 resolve` and `c360 identity ...`.
Thresholds and training options live in config/identity.yml.
"""
