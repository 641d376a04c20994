"""While a name is typed in the form, close names already in the directory are offered."""

from django.urls import reverse

from accord.partners import services


def test_typing_a_close_name_lists_the_existing_organisation(client, users, tenants):
    existing = services.organization_create(
        acting_user=users["editor"],
        data={"kind": "university", "name": "Liaoning Technical University", "country": "CN"},
        names=[{"name": "LNTU", "language": "en", "kind": "abbreviation"}],
    )
    client.force_login(users["viewer"])

    response = client.get(
        reverse("partners:organization_similar"), {"name": "Liaoning University of Engineering and Technology"}
    )

    assert response.status_code == 200
    assert existing.get_absolute_url() in response.content.decode()


def test_the_organisation_being_edited_is_not_offered_as_its_own_duplicate(client, users, tenants):
    existing = services.organization_create(
        acting_user=users["editor"], data={"kind": "university", "name": "Kitami Institute of Technology"}
    )
    client.force_login(users["editor"])

    response = client.get(
        reverse("partners:organization_similar"), {"name": "Kitami Institute of Technology", "exclude": existing.pk}
    )

    assert existing.get_absolute_url() not in response.content.decode()


def test_an_unrelated_name_offers_nothing(client, users, tenants):
    services.organization_create(acting_user=users["editor"], data={"kind": "university", "name": "Osaka University"})
    client.force_login(users["viewer"])

    response = client.get(reverse("partners:organization_similar"), {"name": "Hanoi University"})

    assert "Osaka University" not in response.content.decode()
