"""STS: the cheapest request there is, so it measures the server's own overhead."""
from run import Scenario


def _setup(make_client):
    return make_client("sts")


SCENARIOS = [
    Scenario("sts GetCallerIdentity", _setup, lambda sts: sts.get_caller_identity(),
             raw=lambda sts: ("sts", "GetCallerIdentity", {})),
]
