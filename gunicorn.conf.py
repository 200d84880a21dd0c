# gunicorn reads this file from the directory it starts in (see README, scripts/prod_smoke.sh).
# Its access and error logs go through the personal-data mask: request lines carry query strings,
# and an identity number must never be written to a log.
logger_class = "shequ.core.gunicorn_logging.MaskingLogger"


def post_worker_init(worker):  # noqa: ANN001, ANN201 - gunicorn's hook
    """The application is loaded: its modules, URL patterns and settings live as long as the worker.  Frozen, the
    garbage collector stops walking them again on every full collection (~4 % of an API list page, profiled);
    and from now on it collects between requests (``shequ.core.gcpolicy``)."""
    from shequ.core import gcpolicy

    gcpolicy.worker_started()


def post_request(worker, req, environ, resp):  # noqa: ANN001, ANN201 - gunicorn's hook
    """The answer is sent: the request's garbage in cycles is collected now, not during the next one."""
    from shequ.core import gcpolicy

    gcpolicy.request_done()
