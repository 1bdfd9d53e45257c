"""The local stack: real Kafka, FerretDB, stripe-mock and Mailpit plus our services, as processes."""
