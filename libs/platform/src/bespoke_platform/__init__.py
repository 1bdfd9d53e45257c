"""What every Bespoke service runs on: problem details, serving, Kafka consumer plumbing."""
