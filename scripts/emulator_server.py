"""moto's DynamoDB + SES server, answering one request at a time.

moto applies conditional writes and transactions without a lock, so two concurrent requests can
both pass a condition and both write - something DynamoDB never allows (it serialises conflicting
writes per item). Serialising requests here restores DynamoDB's atomicity, so the race tests
prove our conditions rather than moto's races. Usage: emulator_server.py HOST PORT
"""

import signal
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


class OneAtATime:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # Consume the whole response inside the lock: moto does its work while producing it.
            return list(self.app(environ, start_response))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        host,
        port,
        OneAtATime(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
