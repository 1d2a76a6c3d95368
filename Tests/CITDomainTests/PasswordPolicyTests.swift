import Testing
@testable import CITDomain

@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy.bundled()

    let tooShort = "Use at least 12 characters."
    let tooLong = "Use at most 128 characters."
    let common = "This password is on a list of commonly used passwords. Choose another."
    let variant = "This password is a commonly used password repeated or with digits added at the end. Choose another."
    let personal = "Don't use your email address or name in the password."

    @Test func goodPassphraseHasNoProblems() {
        #expect(policy.problems(password: "maple kettle orbit lantern", email: "jo@example.org", name: "Jo Smith") == [])
    }

    @Test func minimumLengthIsTwelve() {
        #expect(PasswordPolicy.minimumLength == 12)
        #expect(policy.problems(password: "tuvq-lmop-zr", email: nil, name: nil) == [])
        #expect(policy.problems(password: "tuvq-lmop-z", email: nil, name: nil) == [tooShort])
        #expect(policy.problems(password: "", email: nil, name: nil) == [tooShort])
    }

    @Test func lengthCountsCharactersAsPeopleSeeThem() {
        // 12 characters, more than 12 bytes and code points: accented letters and an emoji
        let password = "crème brûlé👩‍🚒"
        #expect(password.count == 12)
        #expect(policy.problems(password: password, email: nil, name: nil) == [])
    }

    @Test func moreThan128CharactersIsRefused() {
        let atLimit = String(repeating: "kx7q", count: 32)
        #expect(atLimit.count == 128)
        #expect(!policy.problems(password: atLimit, email: nil, name: nil).contains(tooLong))
        #expect(policy.problems(password: atLimit + "z", email: nil, name: nil) == [tooLong])
    }

    @Test func bundledListIsLoaded() {
        // Django's list: 19,640 distinct lowercased entries; the longest are well past 12
        #expect(policy.problems(password: "123456", email: nil, name: nil) == [tooShort, common])
    }

    @Test(arguments: ["password1234", "qwertyqwerty", "1q2w3e4r5t6y", "international", "administrator"])
    func commonPasswordOfTwelveOrMoreCharactersIsRefused(password: String) {
        #expect(password.count >= 12)
        #expect(policy.problems(password: password, email: nil, name: nil) == [common])
    }

    @Test func comparisonIgnoresCaseAndSurroundingSpaces() {
        #expect(policy.problems(password: "PassWord1234", email: nil, name: nil) == [common])
        #expect(policy.problems(password: " password1234 ", email: nil, name: nil) == [common])
    }

    @Test func commonPasswordRepeatedIsRefused() {
        // setup: "dragon" is on the list, "dragondragon" is not
        let list = PasswordPolicy(commonPasswords: ["dragon"])
        // MUT + validate
        #expect(list.problems(password: "dragondragon", email: nil, name: nil) == [variant])
        #expect(list.problems(password: "DragonDragonDragon", email: nil, name: nil) == [variant])
        #expect(policy.problems(password: "dragondragon", email: nil, name: nil) == [variant])
        #expect(policy.problems(password: "dragondragon", email: nil, name: nil) != [common])
    }

    @Test func commonPasswordWithDigitsAddedIsRefused() {
        #expect(policy.problems(password: "sunshine2024", email: nil, name: nil) == [variant])
        #expect(policy.problems(password: "football1234567", email: nil, name: nil) == [variant])
    }

    @Test func variantsStayNarrow() {
        let list = PasswordPolicy(commonPasswords: ["dragon", "abc"])
        // digits in front, or letters after, are not "digits added at the end"
        #expect(list.problems(password: "2024dragonfly", email: nil, name: nil) == [])
        // a base shorter than 4 characters is judged like an all-digit password
        #expect(list.problems(password: "abc123456789", email: nil, name: nil) == [])
        // a repeat that is not exact is not a repeat
        #expect(list.problems(password: "dragondragox", email: nil, name: nil) == [])
        // an all-digit password is only refused if it is on the list
        #expect(list.problems(password: "839201746285", email: nil, name: nil) == [])
    }

    @Test func emailOrItsLocalPartIsRefused() {
        #expect(policy.problems(password: "jo.smith@example.org", email: "Jo.Smith@example.org", name: nil).contains(personal))
        #expect(policy.problems(password: "maple-smith-kettle", email: "jo.smith@example.org", name: nil) == [personal])
    }

    @Test func nameIsRefusedIgnoringCaseAndSeparators() {
        #expect(policy.problems(password: "Maple-Okonkwo-77", email: nil, name: "Ada Okonkwo") == [personal])
        #expect(policy.problems(password: "ada-okonkwo-kettle", email: nil, name: "Ada Okonkwo") == [personal])
    }

    @Test func shortNamePartsAreNotMatched() {
        // "Al" and "Lee" occur inside ordinary words ("plate", "fleet")
        #expect(policy.problems(password: "plate fleet orbit", email: nil, name: "Al Lee") == [])
    }

    @Test func everyProblemIsListed() {
        #expect(policy.problems(password: "okonkwo", email: nil, name: "Ada Okonkwo") == [tooShort, personal])
    }
}
