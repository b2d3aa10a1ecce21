"""zh-Hans: date inputs render and read ISO dates first.

A form's DateInput/DateTimeInput renders its value with the first of these formats. Django's zh-Hans formats
start with "%Y/%m/%d", which <input type=date> does not accept: the browser shows such a field blank, and a form
saved from it (a price list, a resale floor) loses its date or is refused. ISO comes first, as in English; the
other ways people type dates in Chinese are still read.
"""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05', what <input type=date> holds
    "%Y/%m/%d",  # '2016/09/05'
    "%Y年%m月%d日",  # '2016年9月5日'
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2016-09-05 20:45:29' (an <input type=datetime-local> takes a space for the T)
    "%Y-%m-%d %H:%M:%S.%f",  # '2016-09-05 20:45:29.000200'
    "%Y-%m-%d %H:%M",  # '2016-09-05 20:45'
    "%Y/%m/%d %H:%M",  # '2016/09/05 20:45'
    "%Y年%m月%d日 %H:%M",  # '2016年9月5日 14:45'
    "%Y/%m/%d %H:%M:%S",  # '2016/09/05 20:45:29'
    "%Y年%m月%d日 %H:%M:%S",  # '2016年9月5日 20:45:29'
    "%Y/%m/%d %H:%M:%S.%f",  # '2016/09/05 20:45:29.000200'
]
