from django.conf import settings

from spl.home import navigation_for


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "navigation": navigation_for(request) if request.user.is_authenticated else [],
    }
