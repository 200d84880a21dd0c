# gunicorn reads this file from the directory it starts in (see README, scripts/prod_smoke.sh).
# Its access and error logs go through the personal-data mask: request lines carry query strings,
# and an identity number must never be written to a log.
logger_class = "shequ.core.gunicorn_logging.MaskingLogger"
