# One image per service: docker build --build-arg SERVICE=orders -t bespoke-orders .
# SERVICE is one of: gateway, design, orders, payments, shipping, notifications.

# --- build: resolve the locked dependencies of one workspace member into a venv --------
FROM python:3.11-slim AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "--build-arg SERVICE=<name> is required" >&2; exit 1)
RUN pip install --no-cache-dir uv==0.13.9
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
COPY pyproject.toml uv.lock ./
COPY contracts/ contracts/
COPY libs/ libs/
COPY services/ services/
COPY tools/ tools/
# Only this service and what it imports, installed (not linked) into /app/.venv.
RUN uv sync --frozen --no-dev --no-editable --package "bespoke-${SERVICE}"

# --- run: the venv on a slim base, no compilers, no uv, not root ----------------------
FROM python:3.11-slim AS run
ARG SERVICE
RUN groupadd --system --gid 10001 bespoke \
 && useradd --system --uid 10001 --gid bespoke --no-create-home --shell /usr/sbin/nologin bespoke
# CairoSVG, which loads Cairo, draws the orders service's stamp thumbnails and job
# tickets' pictures, and the shoe in the notifications service's order emails.
RUN if [ "$SERVICE" = "orders" ] || [ "$SERVICE" = "notifications" ]; then \
      apt-get update && apt-get install -y --no-install-recommends libcairo2 \
      && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BESPOKE_SERVICE=${SERVICE}
USER 10001:10001
WORKDIR /app
# Each service listens on all interfaces in a container (its port: see deploy/k8s).
ENV BESPOKE_GATEWAY_HTTP_HOST=0.0.0.0 \
    BESPOKE_DESIGN_HTTP_HOST=0.0.0.0 \
    BESPOKE_ORDERS_HTTP_HOST=0.0.0.0 \
    BESPOKE_PAYMENTS_HTTP_HOST=0.0.0.0 \
    BESPOKE_SHIPPING_HTTP_HOST=0.0.0.0 \
    BESPOKE_NOTIFICATIONS_HTTP_HOST=0.0.0.0
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"bespoke_${BESPOKE_SERVICE}\" \"$@\"", "--"]
