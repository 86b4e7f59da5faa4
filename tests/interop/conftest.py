from tests.api.conftest import journey_case

__all__ = ["journey_case"]
