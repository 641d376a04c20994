from accord.core.tenancy import ADD, ADMINISTER, MANAGE_USERS, VIEW, Role, scope_ids, user_can
from accord.partners.models import Organization, Person


def test_a_department_sees_itself_and_the_schools_below_it(users, tenants):
    scope = scope_ids(users["viewer"])

    assert scope == {tenants["qn"].pk, tenants["hlu"].pk, tenants["qui"].pk}


def test_a_school_sees_only_itself(users, tenants):
    assert scope_ids(users["unit"]) == {tenants["hlu"].pk}


def test_another_department_sees_only_its_own_tree(users, tenants):
    assert scope_ids(users["other"]) == {tenants["hp"].pk}


def test_a_user_without_home_organisation_sees_nothing(db, django_user_model):
    lost = django_user_model.objects.create_user("lost", password="x")

    assert scope_ids(lost) == frozenset()
    assert not Organization.objects.restrict(lost, VIEW).exists()


def test_roles_allow_increasing_actions(users):
    assert user_can(users["viewer"], VIEW) and not user_can(users["viewer"], ADD)
    assert user_can(users["editor"], ADD) and not user_can(users["editor"], MANAGE_USERS)
    assert user_can(users["manager"], MANAGE_USERS) and not user_can(users["manager"], ADMINISTER)
    assert user_can(users["admin"], ADMINISTER)


def test_inactive_users_can_do_nothing(users):
    editor = users["editor"]
    editor.is_active = False

    assert not user_can(editor, VIEW)
    assert not Organization.objects.restrict(editor, VIEW).exists()


def test_restrict_keeps_people_inside_the_owner_scope(users, tenants):
    in_school = Person.objects.create(name="Teacher of HLU", owner=tenants["hlu"])
    in_haiphong = Person.objects.create(name="Officer of Hai Phong", owner=tenants["hp"])

    seen_by_department = set(Person.objects.restrict(users["viewer"], VIEW))
    seen_by_school = set(Person.objects.restrict(users["unit"], VIEW))

    assert in_school in seen_by_department and in_haiphong not in seen_by_department
    assert in_school in seen_by_school and in_haiphong not in seen_by_school
    assert set(Person.objects.restrict(users["other"], VIEW)) == {in_haiphong}


def test_unshared_organisations_stay_with_their_owner(users, tenants):
    private = Organization.objects.create(kind="company", name="Private supplier", owner=tenants["hp"], shared=False)
    shared = Organization.objects.create(kind="university", name="Osaka University", owner=tenants["hlu"])

    assert private not in Organization.objects.restrict(users["viewer"], VIEW)
    assert private in Organization.objects.restrict(users["other"], VIEW)
    assert shared in Organization.objects.restrict(users["other"], VIEW)
    assert shared not in Organization.objects.restrict(users["other"], "change")
    assert shared in Organization.objects.restrict(users["editor"], "change")


def test_superuser_sees_everything(db, django_user_model, tenants):
    root = django_user_model.objects.create_superuser("root", password="x", role=Role.ADMIN)
    Person.objects.create(name="Anyone", owner=tenants["hp"])

    assert Person.objects.restrict(root, VIEW).count() == 1


def test_the_scope_lookup_finds_exactly_the_rows_of_the_scope_and_nothing_for_an_empty_one(tenants):
    from accord.partners.models import Organization

    qn, hlu = tenants["qn"], tenants["hlu"]
    homes = Organization.objects.filter(is_home=True)

    assert set(homes.filter(id__in_scope=frozenset({qn.pk, hlu.pk}))) == {qn, hlu}
    assert set(homes.filter(parent__in_scope=frozenset({qn.pk}))) == set(homes.filter(parent=qn))
    assert not homes.filter(id__in_scope=frozenset()).exists()
    assert set(homes.exclude(id__in_scope=frozenset())) == set(homes)
