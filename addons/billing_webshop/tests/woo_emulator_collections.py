"""The list endpoints of the WooCommerce emulator (orders and products): their query arguments
checked as WordPress does, the filters, the order and the paging headers and links."""

import copy
import math
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from .woo_emulator_wire import (
    _HIDDEN_FROM_ANY,
    _REST_DATE_RE,
    API_PREFIX,
    DEFAULT_PER_PAGE,
    MAX_PER_PAGE,
    ORDER_STATUSES,
    ORDERBY_VALUES,
    _invalid_param,
    _parse_stored_date,
    _php_urlencode,
    _Response,
    _wp_list,
)


class WooCollections:
    """The ``GET`` list answers of a :class:`WooEmulator`."""

    # -- collections ------------------------------------------------------------------------------

    @staticmethod
    def _integer_param(params, name, default, minimum=None, maximum=None):
        raw = params.get(name)
        if raw is None or raw == "":
            return default
        if not re.fullmatch(r"-?[0-9]+", raw.strip()):
            raise _invalid_param(name, f"{name} is not of type integer.", "rest_invalid_type")
        value = int(raw)
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            raise _invalid_param(
                name,
                f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)",
                "rest_out_of_bounds",
            )
        if minimum is not None and value < minimum:
            raise _invalid_param(
                name, f"{name} must be greater than or equal to {minimum}", "rest_out_of_bounds"
            )
        return value

    @staticmethod
    def _enum_param(params, name, default, allowed):
        value = params.get(name, default) or default
        if value not in allowed:
            raise _invalid_param(name, f"{name} is not one of {_wp_list(allowed)}.", "rest_not_in_enum")
        return value

    @staticmethod
    def _date_param(params, name, shift):
        """A date-time argument, naive; one with an offset is converted to the compared zone."""
        raw = params.get(name)
        if raw is None or raw == "":
            return None
        if not _REST_DATE_RE.fullmatch(raw.strip()):
            raise _invalid_param(name, "Invalid date.", "rest_invalid_date")
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None) + shift
        return moment

    @staticmethod
    def _boolean_param(params, name):
        # rest_is_boolean() / rest_sanitize_boolean().
        raw = (params.get(name) or "").lower()
        if raw not in ("", "0", "1", "true", "false"):
            raise _invalid_param(name, f"{name} is not of type boolean.", "rest_invalid_type")
        return raw in ("1", "true")

    @staticmethod
    def _id_list_param(params, name):
        # wp_parse_id_list(): comma or space separated, absint of each, duplicates dropped.
        raw = params.get(name) or ""
        return list(
            dict.fromkeys(abs(int(part)) for part in re.split(r"[,\s]+", raw) if part.lstrip("-").isdigit())
        )

    def _filter_orders(self, params):
        statuses = [status for status in (params.get("status") or "any").split(",") if status]
        for status in statuses:
            if status != "any" and status not in ORDER_STATUSES:
                raise _invalid_param(
                    "status",
                    f"status is not one of {_wp_list(('any', *ORDER_STATUSES))}.",
                    "rest_not_in_enum",
                )
        dates_are_gmt = self._boolean_param(params, "dates_are_gmt")
        # Query dates are compared with the GMT or with the local column; the emulator keeps
        # GMT dates and shifts both sides into the compared zone.
        shift = timedelta(0) if dates_are_gmt else self.utc_offset
        date_filters = [
            (
                field_name,
                self._date_param(params, after_param, shift),
                self._date_param(params, before_param, shift),
            )
            for field_name, after_param, before_param in (
                ("date_created_gmt", "after", "before"),
                ("date_modified_gmt", "modified_after", "modified_before"),
            )
        ]
        customer = self._integer_param(params, "customer", None, minimum=0)

        def keep(order):
            status = order.get("status")
            if "any" in statuses or not statuses:
                if status in _HIDDEN_FROM_ANY:
                    return False
            elif status not in statuses:
                return False
            if customer is not None and int(order.get("customer_id") or 0) != customer:
                return False
            for field_name, after, before in date_filters:
                moment = _parse_stored_date(order.get(field_name))
                moment = moment + shift if moment else None
                # WP_Date_Query: "after" and "before" are exclusive.
                if after is not None and (moment is None or moment <= after):
                    return False
                if before is not None and (moment is None or moment >= before):
                    return False
            return True

        return keep

    def _filter_products(self, params):
        skus = {sku.strip() for sku in (params.get("sku") or "").split(",") if sku.strip()}

        def keep(product):
            return not skus or product.get("sku") in skus

        return keep

    def _list(self, objects, params, rest_base, make_filter):
        page = self._integer_param(params, "page", 1, minimum=1)
        per_page = self._integer_param(params, "per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
        offset = self._integer_param(params, "offset", None, minimum=0)
        order = self._enum_param(params, "order", "desc", ("asc", "desc"))
        orderby = self._enum_param(params, "orderby", "date", ORDERBY_VALUES)
        include = self._id_list_param(params, "include")
        exclude = set(self._id_list_param(params, "exclude"))
        keep = make_filter(params)

        selected = [
            obj
            for obj in objects
            if keep(obj) and (not include or int(obj["id"]) in include) and int(obj["id"]) not in exclude
        ]
        selected.sort(key=self._sort_key(orderby, include), reverse=order == "desc")

        total = len(selected)
        max_pages = math.ceil(total / per_page)
        start = offset if offset is not None else (page - 1) * per_page
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(max_pages))]
        links = []
        if page > 1:
            links.append(f'<{self._page_link(rest_base, params, min(page - 1, max_pages))}>; rel="prev"')
        if max_pages > page:
            links.append(f'<{self._page_link(rest_base, params, page + 1)}>; rel="next"')
        if links:
            # WP_HTTP_Response::header($key, $value, false) joins repeated headers with ", ".
            headers.append(("Link", ", ".join(links)))
        return _Response(200, copy.deepcopy(selected[start : start + per_page]), headers)

    @staticmethod
    def _sort_key(orderby, include):
        if orderby == "include" and include:
            position = {object_id: index for index, object_id in enumerate(include)}
            return lambda obj: position.get(int(obj["id"]), len(position))
        date_field = {"date": "date_created_gmt", "modified": "date_modified_gmt"}.get(orderby)
        if date_field:
            # WooCommerce adds the id to date orderings so pages do not overlap ("date ID").
            return lambda obj: (_parse_stored_date(obj.get(date_field)) or datetime.min, int(obj["id"]))
        return lambda obj: int(obj["id"])

    def _page_link(self, rest_base, params, page):
        """Build a page link as ``add_query_arg('page', $n, add_query_arg($params, rest_url()))``.

        The first call inserts the query arguments as received (decoded); the second parses that
        string again (turning "+" into a space, as parse_str does) and urlencodes every value.
        So a "+01:00" offset comes back as " 01:00": clients should send UTC dates without offset.
        """
        first_pass = "&".join(f"{name}={value}" for name, value in params.items())
        arguments = dict(parse_qsl(first_pass, keep_blank_values=True))
        arguments["page"] = str(page)
        query = "&".join(f"{name}={_php_urlencode(value)}" for name, value in arguments.items())
        return f"{self.base_url}{API_PREFIX}/{rest_base}?{query}"
